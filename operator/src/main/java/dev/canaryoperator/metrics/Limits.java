package dev.canaryoperator.metrics;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.SideMeasurement;
import java.util.Objects;

/**
 * The rule's limits for the canary given the stable's last numbers, for the dashboard's limit
 * lines: 5xx rate at most errorRateRatio times the stable's (but never below the floor), latency at
 * most the stable's plus latencyIncrease. Null where the stable has no number.
 *
 * @param errorRate a ratio, 0..1
 * @param latencySeconds in seconds
 */
record Limits(Double errorRate, Double latencySeconds) {
  static Limits of(AnalysisSpec spec, SideMeasurement stable) {
    if (stable == null) {
      return new Limits(null, null);
    }
    double ratio = AnalysisSpec.DEFAULT_ERROR_RATE_RATIO;
    double floor = AnalysisSpec.DEFAULT_MIN_ERROR_RATE;
    double increase = AnalysisSpec.DEFAULT_LATENCY_INCREASE;
    if (spec != null) {
      ratio = Objects.requireNonNullElse(spec.getErrorRateRatio(), ratio);
      floor = Objects.requireNonNullElse(spec.getMinErrorRate(), floor);
      increase = Objects.requireNonNullElse(spec.getLatencyIncrease(), increase);
    }
    Double errorRate =
        stable.getErrorRate() == null ? null : Math.max(ratio * stable.getErrorRate(), floor);
    Double latency =
        stable.getLatencyMs() == null ? null : stable.getLatencyMs() * (1 + increase) / 1000;
    return new Limits(errorRate, latency);
  }
}
