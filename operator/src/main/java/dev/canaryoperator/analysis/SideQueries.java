package dev.canaryoperator.analysis;

import java.time.Duration;

/**
 * The PromQL for one side's built-in numbers, from Istio's standard metrics, over one span that
 * ends at the evaluation time.
 *
 * <p>Every number is an exact difference of counters, not increase() or rate(): those extrapolate
 * to the span's edges, and for a series that starts inside the span (a new canary, a new pod) they
 * extrapolate the latency sum and the request count differently, so their ratio, the mean, was off
 * by 10-50% on first analyses. Here each series contributes its value at the end minus its value at
 * the start; a series born inside the span contributes its whole value (counters start at 0), and
 * one that went down (a restarted proxy) contributes what it counted since. Requests and 5xx
 * responses are counted separately (not divided in PromQL) because a side without a single 5xx has
 * no 5xx series at all: the division would come back empty instead of 0%.
 */
record SideQueries(LabelSelector selector, Duration span) {
  static final String REQUESTS = "istio_requests_total";
  static final String DURATION = "istio_request_duration_milliseconds";

  SideQueries {
    if (span.toMillis() < 1000) {
      throw new IllegalArgumentException("the span must be at least 1s, not " + span);
    }
  }

  String requests() {
    return total(REQUESTS + "{" + selector.render() + "}", "");
  }

  String errors() {
    return total(REQUESTS + "{" + selector.render() + ",response_code=~\"5..\"}", "");
  }

  /** The latencies' sum in ms. */
  String latencySum() {
    return total(DURATION + "_sum{" + selector.render() + "}", "");
  }

  /** One cumulative count per bucket bound (le). */
  String latencyBuckets() {
    return total(DURATION + "_bucket{" + selector.render() + "}", " by (le)");
  }

  /** What each series counted during the span, summed (by the given labels). */
  private String total(String series, String by) {
    String start = series + " offset " + span.toMillis() + "ms";
    return "sum" + by + "(((" + series + " - " + start + ") >= 0) or (" + series + " * 1))";
  }
}
