package dev.canaryoperator.analysis;

/** One side's numbers over the span; a null field was not measured or not usable. */
public record Measurement(Double requests, Double errorRate, Double latencyMs) {
  public static final Measurement UNKNOWN = new Measurement(null, null, null);
}
