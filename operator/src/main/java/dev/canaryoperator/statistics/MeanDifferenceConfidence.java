package dev.canaryoperator.statistics;

/**
 * An anytime-valid confidence interval for a difference of two means (canary minus stable latency),
 * from the observed difference and its variance.
 *
 * <p>With many requests the observed difference is close to normal around the true one (central
 * limit theorem), and as data accrue it behaves like a Brownian motion in "information" (1 /
 * variance). Mixing the likelihood ratios of every drift under a normal prior with standard
 * deviation {@code scale} gives a martingale with a closed form (Robbins' normal mixture), and
 * Ville's inequality makes the interval hold at every look at once: its half-width is sqrt(2 v (1 +
 * v/scale^2) (log(1/alpha) + log(1 + scale^2/v) / 2)). It is tightest when the standard error is
 * near {@code scale}: the effect size the rule cares about.
 */
public final class MeanDifferenceConfidence {
  private MeanDifferenceConfidence() {}

  /**
   * @param difference the observed difference
   * @param variance the variance of that difference (sum of each side's variance / its count)
   * @param alpha 1 - confidence
   * @param scale the size of difference that matters, &gt; 0
   */
  public static Interval interval(double difference, double variance, double alpha, double scale) {
    if (Double.isNaN(difference) || Double.isInfinite(difference)) {
      throw new IllegalArgumentException("the difference must be a finite number: " + difference);
    }
    if (!(variance >= 0) || Double.isInfinite(variance)) {
      throw new IllegalArgumentException("the variance must be finite and >= 0: " + variance);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), not " + alpha);
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("the scale must be finite and > 0: " + scale);
    }
    if (variance == 0) {
      return new Interval(difference, difference);
    }
    double s2 = scale * scale;
    double half =
        Math.sqrt(
            2
                * variance
                * (1 + variance / s2)
                * (Math.log(1 / alpha) + 0.5 * (Math.log(s2 + variance) - Math.log(variance))));
    return new Interval(difference - half, difference + half);
  }
}
