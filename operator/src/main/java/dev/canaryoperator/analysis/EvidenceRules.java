package dev.canaryoperator.analysis;

import static dev.canaryoperator.analysis.Judge.exceeds;
import static dev.canaryoperator.analysis.Judge.factor;
import static dev.canaryoperator.analysis.Judge.ms;
import static dev.canaryoperator.analysis.Judge.percent;

import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.statistics.Histogram;
import dev.canaryoperator.statistics.Interval;
import dev.canaryoperator.statistics.MeanDifferenceConfidence;
import dev.canaryoperator.statistics.ProportionConfidence;
import dev.canaryoperator.statistics.RateRatioConfidence;
import java.util.function.DoubleFunction;

/**
 * The built-in rules under the Sequential method: the user's rule is the size of a regression that
 * matters, the confidence interval is the trigger. Every interval here is anytime-valid (see the
 * statistics package), so the analysis may look at the step's growing sample every interval without
 * the looks adding up to a false rollback.
 *
 * <ul>
 *   <li>Fail: the estimate breaks the rule AND the data show, with the configured confidence, that
 *       the canary is worse than the stable (and, where the error-rate floor is the limit, that its
 *       error rate is above the floor).
 *   <li>Pass: the data rule out, with that confidence, a canary that breaks the rule.
 *   <li>Collecting: neither yet; the sentence says how many more canary requests a decision needs
 *       if the rates stay as they are.
 * </ul>
 */
final class EvidenceRules {
  /** Beyond this many times the data seen, "more requests" is not a useful answer. */
  private static final double MAX_GROWTH = 1024;

  private EvidenceRules() {}

  record Judgement(Verdict verdict, String sentence, Evidence evidence) {}

  private record Call(Verdict verdict, Interval interval) {}

  static Judgement errors(
      Thresholds t,
      double canaryErrors,
      double canaryRequests,
      double stableErrors,
      double stableRequests) {
    DoubleFunction<Verdict> at =
        g ->
            errorCall(t, canaryErrors * g, canaryRequests * g, stableErrors * g, stableRequests * g)
                .verdict();
    ErrorCall call = errorCall(t, canaryErrors, canaryRequests, stableErrors, stableRequests);
    Verdict verdict = call.verdict();
    RateRatioConfidence ratio = call.ratio();
    Interval rate = call.rate();
    boolean floorBinds = call.floorBinds();
    double canaryRate = canaryErrors / canaryRequests;
    double stableRate = stableErrors / stableRequests;
    String sides = "canary 5xx " + percent(canaryRate) + " vs stable " + percent(stableRate);
    String ratioText = ratio.known() ? ": " + times(ratio.estimate()) : ", no 5xx on either side";
    String confidence = t.confidenceText() + " confidence";
    String sentence;
    Double more = null;
    switch (verdict) {
      case Fail ->
          sentence =
              sides
                  + ratioText
                  + " > "
                  + factor(t.errorRateRatio())
                  + "x, and worse than the stable with "
                  + confidence
                  + " (at least "
                  + times(ratio.interval().lower())
                  + ")"
                  + (floorBinds
                      ? ", and at least "
                          + percent(rate.lower())
                          + " > the "
                          + percent(t.minErrorRate())
                          + " floor"
                      : "");
      case Pass ->
          sentence =
              ratio.interval().upper() < t.errorRateRatio()
                  ? sides
                      + ratioText
                      + ", at most "
                      + times(ratio.interval().upper())
                      + " with "
                      + confidence
                      + " < "
                      + factor(t.errorRateRatio())
                      + "x"
                  : sides
                      + ": canary at most "
                      + percent(rate.upper())
                      + " with "
                      + confidence
                      + " < the "
                      + percent(t.minErrorRate())
                      + " floor";
      default -> {
        more = moreRequests(at, canaryRequests);
        sentence =
            sides
                + ratioText
                + (ratio.known() ? ", " + range(ratio.interval()) + " with " + confidence : "")
                + (ratio.known() ? " (limit " : "; limit ")
                + factor(t.errorRateRatio())
                + "x, floor "
                + percent(t.minErrorRate())
                + (ratio.known() ? "): " : ": ")
                + needs(more);
      }
    }
    Evidence evidence =
        new Evidence(
            "5xx rate",
            ratio.known() ? Evidence.finite(ratio.estimate()) : null,
            ratio.known() ? Evidence.finite(ratio.interval().lower()) : null,
            ratio.known() ? Evidence.finite(ratio.interval().upper()) : null,
            t.errorRateRatio(),
            verdict,
            more);
    return new Judgement(verdict, sentence, evidence);
  }

  /** The errors' verdict and what it rests on. */
  private record ErrorCall(
      Verdict verdict, RateRatioConfidence ratio, Interval rate, boolean floorBinds) {}

  private static ErrorCall errorCall(
      Thresholds t,
      double canaryErrors,
      double canaryRequests,
      double stableErrors,
      double stableRequests) {
    double alpha = t.alpha();
    double canaryRate = canaryErrors / canaryRequests;
    double stableRate = stableErrors / stableRequests;
    RateRatioConfidence ratio =
        RateRatioConfidence.of(
            canaryErrors, canaryRequests, stableErrors, stableRequests, alpha, t.errorRateRatio());
    Interval rate =
        ProportionConfidence.interval(canaryErrors, canaryRequests, alpha, floorPrior(t));
    double limit = Math.max(t.errorRateRatio() * stableRate, t.minErrorRate());
    // the floor needs its own evidence only where it is the limit
    boolean floorBinds = t.errorRateRatio() * stableRate < t.minErrorRate();
    boolean breaksRule = exceeds(canaryRate, limit);
    boolean worse = ratio.known() && ratio.interval().lower() > 1;
    boolean aboveFloor = !floorBinds || rate.lower() > t.minErrorRate();
    Verdict verdict;
    if (breaksRule && worse && aboveFloor) {
      verdict = Verdict.Fail;
    } else if ((ratio.known() && ratio.interval().upper() < t.errorRateRatio())
        || rate.upper() < t.minErrorRate()) {
      verdict = Verdict.Pass;
    } else {
      verdict = Verdict.Collecting;
    }
    return new ErrorCall(verdict, ratio, rate, floorBinds);
  }

  /** The prior of the canary's error rate sits at the floor, where that test decides. */
  private static double floorPrior(Thresholds t) {
    return Math.min(0.5, Math.max(1e-6, t.minErrorRate()));
  }

  static Judgement meanLatency(Thresholds t, Histogram canary, Histogram stable) {
    DoubleFunction<Verdict> at = g -> meanCall(t, canary, stable, g).verdict();
    Call call = meanCall(t, canary, stable, 1);
    double c = canary.mean();
    double s = stable.mean();
    String sides = "canary mean latency " + ms(c) + " vs stable " + ms(s);
    String change = ": " + signed(c / s - 1);
    String confidence = " with " + t.confidenceText() + " confidence";
    String limit = signed(t.latencyIncrease());
    Interval d = call.interval();
    String sentence;
    Double more = null;
    switch (call.verdict()) {
      case Fail ->
          sentence =
              sides
                  + change
                  + " > "
                  + limit
                  + ", and slower"
                  + confidence
                  + " (at least "
                  + signed(d.lower() / s)
                  + ")";
      case Pass ->
          sentence =
              sides + change + ", at most " + signed(d.upper() / s) + confidence + " < " + limit;
      default -> {
        more = moreRequests(at, canary.count());
        sentence =
            sides
                + change
                + ", between "
                + signed(d.lower() / s)
                + " and "
                + signed(d.upper() / s)
                + confidence
                + " (limit "
                + limit
                + "): "
                + needs(more);
      }
    }
    Evidence evidence =
        new Evidence(
            "mean latency",
            Evidence.finite(c / s),
            Evidence.finite(1 + d.lower() / s),
            Evidence.finite(1 + d.upper() / s),
            1 + t.latencyIncrease(),
            call.verdict(),
            more);
    return new Judgement(call.verdict(), sentence, evidence);
  }

  /** The canary's and the stable's counts grown g-fold at the same means and spreads. */
  private static Call meanCall(Thresholds t, Histogram canary, Histogram stable, double g) {
    double c = canary.mean();
    double s = stable.mean();
    double variance =
        canary.variance() / (canary.count() * g) + stable.variance() / (stable.count() * g);
    // the rule's own size sets where the interval is tightest; a stable at 0 ms gets 1 µs
    double scale = Math.max(t.latencyIncrease() * s, 1e-3);
    Interval d = MeanDifferenceConfidence.interval(c - s, variance, t.alpha(), scale);
    if (exceeds(c, s * (1 + t.latencyIncrease())) && d.lower() > 0) {
      return new Call(Verdict.Fail, d);
    }
    return new Call(d.upper() < t.latencyIncrease() * s ? Verdict.Pass : Verdict.Collecting, d);
  }

  static Judgement quantileLatency(Thresholds t, Histogram canary, Histogram stable) {
    double q = t.latencyQuantile();
    double tail = 1 - q;
    double s = stable.quantile(q);
    double c = canary.quantile(q);
    double limit = s * (1 + t.latencyIncrease());
    double n = canary.count();
    double overStable = canary.countAbove(s);
    double overTheLimit = canary.countAbove(limit);
    DoubleFunction<Verdict> at =
        g -> quantileCall(t, overStable * g, overTheLimit * g, n * g, c, s).verdict();
    QuantileCall call = quantileCall(t, overStable, overTheLimit, n, c, s);
    Verdict verdict = call.verdict();
    Interval slower = call.slower();
    Interval overLimit = call.overLimit();
    String name = t.latencyName();
    String sides =
        "canary " + name + " latency " + ms(c) + " vs stable " + ms(s) + ": " + signed(c / s - 1);
    String confidence = " with " + t.confidenceText() + " confidence";
    String sentence;
    Double more = null;
    switch (verdict) {
      case Fail ->
          sentence =
              sides
                  + " > "
                  + signed(t.latencyIncrease())
                  + ", and slower"
                  + confidence
                  + ": at least "
                  + percent(slower.lower())
                  + " of canary requests over the stable's "
                  + name
                  + ", more than "
                  + percent(tail);
      case Pass ->
          sentence =
              sides
                  + ", at most "
                  + percent(overLimit.upper())
                  + " of canary requests over "
                  + ms(limit)
                  + confidence
                  + ", fewer than "
                  + percent(tail);
      default -> {
        more = moreRequests(at, n);
        sentence =
            sides
                + ", "
                + percent(overLimit.lower())
                + " to "
                + percent(overLimit.upper())
                + " of canary requests over "
                + ms(limit)
                + confidence
                + " (a pass needs under "
                + percent(tail)
                + "): "
                + needs(more);
      }
    }
    Evidence evidence =
        new Evidence(
            name + " latency",
            Evidence.finite(c / s),
            null,
            null,
            1 + t.latencyIncrease(),
            verdict,
            more);
    return new Judgement(verdict, sentence, evidence);
  }

  /**
   * Fail: the canary's quantile breaks the rule and more than the tail's share of its requests are
   * slower than the stable's quantile (so its quantile is above the stable's) with confidence.
   * Pass: fewer than the tail's share are over the limit (its quantile is under it) with
   * confidence.
   */
  /** The quantile's verdict and the two intervals it rests on. */
  private record QuantileCall(Verdict verdict, Interval slower, Interval overLimit) {}

  private static QuantileCall quantileCall(
      Thresholds t, double overStable, double overLimit, double n, double canaryQ, double stableQ) {
    double tail = 1 - t.latencyQuantile();
    double alpha = t.alpha();
    Interval slower = ProportionConfidence.interval(Math.min(overStable, n), n, alpha, tail);
    Interval overTheLimit = ProportionConfidence.interval(Math.min(overLimit, n), n, alpha, tail);
    Verdict verdict;
    if (exceeds(canaryQ, stableQ * (1 + t.latencyIncrease())) && slower.lower() > tail) {
      verdict = Verdict.Fail;
    } else if (overTheLimit.upper() < tail) {
      verdict = Verdict.Pass;
    } else {
      verdict = Verdict.Collecting;
    }
    return new QuantileCall(verdict, slower, overTheLimit);
  }

  /**
   * About how many more canary requests until the call is made, if the rates stay as they are: the
   * smallest growth of every count that turns Collecting into a verdict.
   */
  private static Double moreRequests(DoubleFunction<Verdict> at, double canaryRequests) {
    double hi = 2;
    while (at.apply(hi) == Verdict.Collecting) {
      hi *= 2;
      if (hi > MAX_GROWTH) {
        return null;
      }
    }
    double lo = hi / 2;
    for (int i = 0; i < 12; i++) {
      double mid = (lo + hi) / 2;
      if (at.apply(mid) == Verdict.Collecting) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.ceil((hi - 1) * canaryRequests);
  }

  private static String needs(Double more) {
    return more == null
        ? "no decision in sight at these rates (the canary looks like the rule's limit)"
        : "about " + Judge.count(more) + " more canary requests to decide";
  }

  /** "between 0.6x and 3.1x", or "at least 0.6x" while nothing above is excluded. */
  private static String range(Interval ratio) {
    return Double.isInfinite(ratio.upper())
        ? "at least " + times(ratio.lower()) + " (no upper bound yet)"
        : "between " + times(ratio.lower()) + " and " + times(ratio.upper());
  }

  /** "3.4x"; an unbounded side reads "any". */
  private static String times(double ratio) {
    if (Double.isInfinite(ratio)) {
      return "any";
    }
    return Judge.significant(ratio, 3) + "x";
  }

  /**
   * "+22.2%", "-3.1%", "+352%", "+0%": three digits, and no finer than a tenth of a percent (a
   * difference of floating-point noise must not read "+0.0000000000000222%").
   */
  private static String signed(double relative) {
    double tenths = Math.round(relative * 1000) / 10.0;
    if (tenths == 0) {
      return "+0%";
    }
    String text = Judge.significant(Math.abs(tenths), 3);
    return (tenths > 0 ? "+" : "-") + text + "%";
  }
}
