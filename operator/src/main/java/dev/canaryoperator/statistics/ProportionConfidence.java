package dev.canaryoperator.statistics;

import org.apache.commons.numbers.gamma.LogBeta;
import org.apache.commons.numbers.rootfinder.BrentSolver;

/**
 * An anytime-valid confidence interval for a binomial proportion (the share of requests that
 * failed, or that were slower than a limit): k successes among n trials.
 *
 * <p>Why anytime-valid: the analysis looks at the same growing sample every interval and acts on
 * the first look that crosses a line. A fixed-sample interval (Wilson, Clopper-Pearson) covers the
 * truth with its confidence at one look chosen in advance; looked at again and again it is crossed
 * by noise sooner or later. This interval is the set of proportions p0 whose beta-binomial Bayes
 * factor (a Beta prior over p against the point p0) stays below 1/alpha. Under p0 that Bayes factor
 * is a nonnegative martingale starting at 1, so by Ville's inequality it ever reaches 1/alpha with
 * probability at most alpha, however often and for however long it is looked at (Robbins' method of
 * mixtures; the conjugate prior gives the closed form).
 *
 * <p>The prior only moves where the interval is tightest: Beta(1, (1-m)/m) has mean m and puts its
 * weight near the proportions the caller cares about (the error-rate floor, the canary's share of
 * the errors), which is where a decision is needed first.
 */
public final class ProportionConfidence {
  private static final BrentSolver SOLVER = new BrentSolver(1e-12, 1e-14, 1e-10);

  /** Beyond this many standard logits a proportion is 0 or 1 for every purpose here. */
  private static final double LOGIT_RANGE = 40;

  private ProportionConfidence() {}

  /**
   * @param successes k, 0 &lt;= k &lt;= n (counts from Prometheus may be fractional)
   * @param trials n &gt;= 0
   * @param alpha 1 - confidence, in (0, 1)
   * @param priorMean where the prior's weight sits, in (0, 1)
   */
  public static Interval interval(double successes, double trials, double alpha, double priorMean) {
    check(successes, trials, alpha, priorMean);
    if (trials == 0) {
      return new Interval(0, 1);
    }
    double a = 1;
    double b = (1 - priorMean) / priorMean;
    double k = successes;
    double n = trials;
    double threshold = Math.log(1 / alpha);
    double logMarginal = LogBeta.value(a + k, b + n - k) - LogBeta.value(a, b);
    // log Bayes factor of the prior against p0 = logistic(z); convex in z, lowest at the MLE
    java.util.function.DoubleUnaryOperator excess =
        z -> logMarginal - k * logSigmoid(z) - (n - k) * logSigmoid(-z) - threshold;
    double mle = k / n;
    double lower = 0;
    double upper = 1;
    if (k > 0) {
      double from = -LOGIT_RANGE;
      double to = mle >= 1 ? LOGIT_RANGE : logit(mle);
      if (excess.applyAsDouble(from) > 0 && excess.applyAsDouble(to) < 0) {
        lower = sigmoid(SOLVER.findRoot(excess, from, to));
      }
    }
    if (k < n) {
      double from = mle <= 0 ? -LOGIT_RANGE : logit(mle);
      double to = LOGIT_RANGE;
      if (excess.applyAsDouble(to) > 0 && excess.applyAsDouble(from) < 0) {
        upper = sigmoid(SOLVER.findRoot(excess, from, to));
      }
    }
    return new Interval(Math.min(lower, mle), Math.max(upper, mle));
  }

  private static void check(double k, double n, double alpha, double priorMean) {
    if (!(n >= 0) || !(k >= 0) || k > n || Double.isInfinite(n)) {
      throw new IllegalArgumentException(
          "counts must satisfy 0 <= successes <= trials < infinity, not " + k + " of " + n);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), not " + alpha);
    }
    if (!(priorMean > 0 && priorMean < 1)) {
      throw new IllegalArgumentException("the prior mean must be in (0, 1), not " + priorMean);
    }
  }

  static double logit(double p) {
    return Math.log(p) - Math.log1p(-p);
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** log(sigmoid(z)) without underflow for large |z|. */
  static double logSigmoid(double z) {
    return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
  }
}
