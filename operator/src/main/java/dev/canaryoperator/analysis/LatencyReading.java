package dev.canaryoperator.analysis;

import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.statistics.Histogram;

/** One side's latency histogram over the span, or why there is none. */
record LatencyReading(Histogram histogram, String problem) {

  LatencyReading {
    if ((histogram == null) == (problem == null)) {
      throw new IllegalArgumentException("a latency reading has either a histogram or a problem");
    }
  }

  static LatencyReading of(Histogram histogram) {
    return new LatencyReading(histogram, null);
  }

  static LatencyReading missing(String problem) {
    return new LatencyReading(null, problem);
  }

  boolean present() {
    return histogram != null;
  }

  /** The latency in ms the rule compares (mean or quantile), or why there is none. */
  Reading value(Thresholds t) {
    if (!present()) {
      return Reading.missing(problem);
    }
    if (!(histogram.count() > 0)) {
      return Reading.missing("no request was timed");
    }
    return Reading.of(
        t.latencyMeasure() == LatencyMeasure.Quantile
            ? histogram.quantile(t.latencyQuantile())
            : histogram.mean());
  }
}
