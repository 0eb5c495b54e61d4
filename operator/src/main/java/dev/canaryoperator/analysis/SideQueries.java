package dev.canaryoperator.analysis;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
  private static final Set<String> DESTINATION_LABELS =
      Set.of(
          "reporter", MeshDestination.NAMESPACE, MeshDestination.SERVICE, MeshDestination.VERSION);

  SideQueries {
    if (span.toMillis() < 1000) {
      throw new IllegalArgumentException("the span must be at least 1s, not " + span);
    }
  }

  String requests() {
    return total(REQUESTS + "{" + selector.render() + "}", "", span);
  }

  String errors() {
    return total(REQUESTS + "{" + selector.render() + ",response_code=~\"5..\"}", "", span);
  }

  /** The latencies' sum in ms. */
  String latencySum() {
    return total(DURATION + "_sum{" + selector.render() + "}", "", span);
  }

  /** One cumulative count per bucket bound (le). */
  String latencyBuckets() {
    return total(DURATION + "_bucket{" + selector.render() + "}", " by (le)", span);
  }

  /**
   * The side as a destination of the mesh, when the selector names nothing but that (the default
   * selectors do; a spec's own selector may not): then it can be measured in a grouped query.
   */
  Optional<MeshDestination> destination() {
    Map<String, String> m = selector.matchers();
    if (!"destination".equals(m.get("reporter"))
        || !m.containsKey(MeshDestination.NAMESPACE)
        || !m.containsKey(MeshDestination.SERVICE)
        || !DESTINATION_LABELS.containsAll(m.keySet())) {
      return Optional.empty();
    }
    return Optional.of(
        new MeshDestination(
            m.get(MeshDestination.NAMESPACE),
            m.get(MeshDestination.SERVICE),
            m.get(MeshDestination.VERSION)));
  }

  /** What each series counted during the span, summed (by the given labels). */
  static String total(String series, String by, Duration span) {
    String start = series + " offset " + span.toMillis() + "ms";
    return "sum" + by + "(((" + series + " - " + start + ") >= 0) or (" + series + " * 1))";
  }
}
