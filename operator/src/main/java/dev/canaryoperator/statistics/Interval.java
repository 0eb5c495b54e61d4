package dev.canaryoperator.statistics;

/**
 * A confidence interval [lower, upper]; either end may be infinite (nothing is excluded on that
 * side yet).
 */
public record Interval(double lower, double upper) {
  public static final Interval EVERYTHING =
      new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

  public Interval {
    if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
      throw new IllegalArgumentException("not an interval: [" + lower + ", " + upper + "]");
    }
  }

  public boolean contains(double value) {
    return value >= lower && value <= upper;
  }
}
