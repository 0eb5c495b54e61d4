package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.LatencyMeasure;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The judge's parameters, with the API's defaults (the constants of {@link AnalysisSpec}, the only
 * copy) where the spec leaves a field out.
 *
 * @param span what the numbers cover, only for sentences ("in the last 5m", "in this step (2m)")
 */
record Thresholds(
    AnalysisMethod method,
    double confidence,
    int minRequests,
    double errorRateRatio,
    double minErrorRate,
    double latencyIncrease,
    LatencyMeasure latencyMeasure,
    double latencyQuantile,
    String span) {

  static Thresholds of(AnalysisSpec spec, String span) {
    return new Thresholds(
        Objects.requireNonNullElse(spec.getMethod(), AnalysisSpec.DEFAULT_METHOD),
        Objects.requireNonNullElse(spec.getConfidence(), AnalysisSpec.DEFAULT_CONFIDENCE),
        Objects.requireNonNullElse(spec.getMinRequests(), AnalysisSpec.DEFAULT_MIN_REQUESTS),
        Objects.requireNonNullElse(spec.getErrorRateRatio(), AnalysisSpec.DEFAULT_ERROR_RATE_RATIO),
        Objects.requireNonNullElse(spec.getMinErrorRate(), AnalysisSpec.DEFAULT_MIN_ERROR_RATE),
        Objects.requireNonNullElse(
            spec.getLatencyIncrease(), AnalysisSpec.DEFAULT_LATENCY_INCREASE),
        Objects.requireNonNullElse(spec.getLatencyMeasure(), AnalysisSpec.DEFAULT_LATENCY_MEASURE),
        Objects.requireNonNullElse(
            spec.getLatencyQuantile(), AnalysisSpec.DEFAULT_LATENCY_QUANTILE),
        span);
  }

  /** The chance of a wrong call that the confidence allows. */
  double alpha() {
    return 1 - confidence;
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

  /** "99%" or "99.9%", for sentences. */
  String confidenceText() {
    return new BigDecimal(Double.toString(confidence * 100)).stripTrailingZeros().toPlainString()
        + "%";
  }
}
