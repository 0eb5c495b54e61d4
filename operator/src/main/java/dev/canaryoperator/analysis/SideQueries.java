package dev.canaryoperator.analysis;

import dev.canaryoperator.api.LatencyMeasure;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * The PromQL for one side's built-in numbers, from Istio's standard metrics, over one window.
 * Requests and 5xx responses are counted separately (not divided in PromQL) because a side without
 * a single 5xx has no 5xx series at all: the division would come back empty instead of 0%.
 */
record SideQueries(
    LabelSelector selector, String window, LatencyMeasure latencyMeasure, double latencyQuantile) {
  static final String REQUESTS = "istio_requests_total";
  static final String DURATION = "istio_request_duration_milliseconds";

  SideQueries {
    if (!(latencyQuantile > 0 && latencyQuantile < 1)) {
      throw new IllegalArgumentException(
          "latencyQuantile must be between 0 and 1, exclusive, not " + latencyQuantile);
    }
  }

  String requests() {
    return "sum(increase(" + REQUESTS + "{" + selector.render() + "}[" + window + "]))";
  }

  String errors() {
    return "sum(increase("
        + REQUESTS
        + "{"
        + selector.render()
        + ",response_code=~\"5..\"}["
        + window
        + "]))";
  }

  String latency() {
    return latencyMeasure == LatencyMeasure.Quantile ? quantileLatency() : meanLatency();
  }

  /** Exact, unlike the quantile: every millisecond of a shift moves it. */
  String meanLatency() {
    return "sum(rate("
        + DURATION
        + "_sum{"
        + selector.render()
        + "}["
        + window
        + "]))"
        + " / sum(rate("
        + DURATION
        + "_count{"
        + selector.render()
        + "}["
        + window
        + "]))";
  }

  /** Interpolated inside Istio's coarse buckets: a shift within one bucket does not show. */
  String quantileLatency() {
    return "histogram_quantile("
        + String.format(Locale.ROOT, "%s", latencyQuantile)
        + ", sum by (le) (rate("
        + DURATION
        + "_bucket{"
        + selector.render()
        + "}["
        + window
        + "])))";
  }

  /** "mean" or "p99", "p99.9", for sentences. */
  String latencyName() {
    if (latencyMeasure != LatencyMeasure.Quantile) {
      return "mean";
    }
    return "p"
        + new BigDecimal(Double.toString(latencyQuantile * 100))
            .stripTrailingZeros()
            .toPlainString();
  }
}
