package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisSpec;

/**
 * The judge's parameters, with the API's defaults where the spec leaves a field out.
 *
 * @param window the canonical window, only for sentences ("in the last 5m")
 * @param latencyName "mean" or "p99", only for sentences
 */
record Thresholds(
    int minRequests,
    double errorRateRatio,
    double minErrorRate,
    double latencyIncrease,
    String window,
    String latencyName) {

  static Thresholds of(AnalysisSpec spec, String window, String latencyName) {
    return new Thresholds(
        spec.getMinRequests() == null ? 100 : spec.getMinRequests(),
        spec.getErrorRateRatio() == null ? 2.0 : spec.getErrorRateRatio(),
        spec.getMinErrorRate() == null ? 0.01 : spec.getMinErrorRate(),
        spec.getLatencyIncrease() == null ? 0.10 : spec.getLatencyIncrease(),
        window,
        latencyName);
  }
}
