package dev.canaryoperator.api;

/** How latency is compared. */
public enum LatencyMeasure {
  /** sum/count of istio_request_duration_milliseconds: exact, so a 10% shift is always visible. */
  Mean,
  /**
   * histogram_quantile over Istio's buckets (..., 50, 100, 250, 500 ms): familiar, but a shift
   * inside one bucket does not move the interpolated value.
   */
  Quantile
}
