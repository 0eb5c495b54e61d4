package dev.canaryoperator.statistics;

/**
 * How many times the canary's error rate is the stable's, with an anytime-valid confidence
 * interval, from four counts: errors and requests on each side.
 *
 * <p>Errors are rare events, so each side's count is close to Poisson with mean requests x rate.
 * Given the total number of errors x, the canary's share of them is then binomial with theta = rho
 * n_c / (rho n_c + n_s), rho being the ratio of the rates: the requests on each side drop out and a
 * burst that hits both sides at once moves both counts together, which says nothing against the
 * canary. The interval for theta ({@link ProportionConfidence}) maps one to one onto rho. The
 * approximation needs error rates well below 1; above that a canary is judged on a regression far
 * larger than any ratio rule.
 *
 * <p>Each end of the interval has its prior where that end makes its decision: the lower end
 * answers "is the canary worse at all?", which matters for canaries that break the rule, so its
 * prior sits at rho = {@code ruleRatio}; the upper end answers "could it break the rule?", which
 * matters for canaries as good as the stable, so its prior sits at rho = 1. Each end holds with the
 * confidence on its own (each is one side of its own confidence interval).
 */
public record RateRatioConfidence(double estimate, Interval interval) {

  /** No errors on either side, or no requests on one: every ratio is still possible. */
  public static final RateRatioConfidence UNKNOWN =
      new RateRatioConfidence(Double.NaN, new Interval(0, Double.POSITIVE_INFINITY));

  public static RateRatioConfidence of(
      double canaryErrors,
      double canaryRequests,
      double stableErrors,
      double stableRequests,
      double alpha,
      double ruleRatio) {
    for (double count : new double[] {canaryErrors, canaryRequests, stableErrors, stableRequests}) {
      if (!(count >= 0) || Double.isInfinite(count)) {
        throw new IllegalArgumentException("counts must be finite and >= 0, not " + count);
      }
    }
    if (!(ruleRatio > 0) || Double.isInfinite(ruleRatio)) {
      throw new IllegalArgumentException("the rule's ratio must be finite and > 0: " + ruleRatio);
    }
    if (!(canaryRequests > 0) || !(stableRequests > 0)) {
      return UNKNOWN;
    }
    double errors = canaryErrors + stableErrors;
    if (!(errors > 0)) {
      return UNKNOWN;
    }
    double share = canaryRequests / (canaryRequests + stableRequests);
    double shareAtRule = ruleRatio * canaryRequests / (ruleRatio * canaryRequests + stableRequests);
    double lower = ProportionConfidence.interval(canaryErrors, errors, alpha, shareAtRule).lower();
    double upper = ProportionConfidence.interval(canaryErrors, errors, alpha, share).upper();
    double odds = stableRequests / canaryRequests;
    double estimate =
        stableErrors == 0
            ? Double.POSITIVE_INFINITY
            : (canaryErrors / canaryRequests) / (stableErrors / stableRequests);
    return new RateRatioConfidence(
        estimate,
        new Interval(ratio(lower, odds), Math.max(ratio(lower, odds), ratio(upper, odds))));
  }

  private static double ratio(double theta, double odds) {
    if (theta >= 1) {
      return Double.POSITIVE_INFINITY;
    }
    return theta / (1 - theta) * odds;
  }

  public boolean known() {
    return !Double.isNaN(estimate);
  }
}
