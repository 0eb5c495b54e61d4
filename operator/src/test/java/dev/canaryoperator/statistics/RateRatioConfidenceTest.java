package dev.canaryoperator.statistics;

import static dev.canaryoperator.statistics.ProportionConfidenceTest.logBayesFactor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.numbers.gamma.LogBeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateRatioConfidenceTest {

  private static final double RULE = 2;

  /** The canary's share of the errors when its rate is rho times the stable's. */
  private static double share(double rho, double canaryRequests, double stableRequests) {
    return rho * canaryRequests / (rho * canaryRequests + stableRequests);
  }

  private static void assertUnknown(RateRatioConfidence ratio) {
    assertThat(ratio.known()).isFalse();
    assertThat(ratio.estimate()).isNaN();
    assertThat(ratio.interval()).isEqualTo(new Interval(0, Double.POSITIVE_INFINITY));
    assertThat(ratio).isEqualTo(RateRatioConfidence.UNKNOWN);
  }

  @Test
  void noErrorsOnEitherSideIsUnknown() {
    assertUnknown(RateRatioConfidence.of(0, 1000, 0, 9000, 0.05, RULE));
  }

  @ParameterizedTest
  @CsvSource({
    "3, 1000, 2, 0", // no stable requests
    "3, 0, 2, 9000", // no canary requests
    "0, 0, 0, 0"
  })
  void noRequestsOnOneSideIsUnknown(double ce, double cr, double se, double sr) {
    assertUnknown(RateRatioConfidence.of(ce, cr, se, sr, 0.05, RULE));
  }

  @Test
  void theUnknownConstantAllowsEveryRatio() {
    assertThat(RateRatioConfidence.UNKNOWN.known()).isFalse();
    assertThat(RateRatioConfidence.UNKNOWN.interval().contains(0)).isTrue();
    assertThat(RateRatioConfidence.UNKNOWN.interval().contains(1e12)).isTrue();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // canary errors, canary requests, stable errors, stable requests, alpha, rule ratio
        Arguments.of(10, 1000, 90, 9000, 0.05, 2),
        Arguments.of(30, 1000, 90, 9000, 0.05, 2),
        Arguments.of(4, 500, 60, 4500, 0.01, 1.5),
        Arguments.of(2.5, 1000.5, 7.25, 2000, 0.1, 3),
        Arguments.of(500, 50_000, 400, 50_000, 0.05, 1.2),
        Arguments.of(12, 1000, 80, 9000, 0.05, 1));
  }

  /**
   * The lower end is where the Bayes factor with its prior at rho = rule ratio reaches 1/alpha, the
   * upper end where the one with its prior at rho = 1 does; just inside is not rejected, just
   * outside is.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void eachEndIsWhereItsOwnBayesFactorReachesOneOverAlpha(
      double ce, double cr, double se, double sr, double alpha, double rule) {
    RateRatioConfidence ratio = RateRatioConfidence.of(ce, cr, se, sr, alpha, rule);
    double errors = ce + se;
    double priorAtOne = share(1, cr, sr);
    double priorAtRule = share(rule, cr, sr);
    double threshold = Math.log(1 / alpha);

    assertThat(ratio.known()).isTrue();
    assertThat(ratio.estimate()).isCloseTo((ce / cr) / (se / sr), within(1e-12));
    assertThat(ratio.interval().contains(ratio.estimate())).isTrue();
    double lower = ratio.interval().lower();
    double upper = ratio.interval().upper();
    assertThat(lower).isGreaterThan(0);
    assertThat(upper).isFinite();

    assertThat(logBayesFactor(ce, errors, share(lower, cr, sr), priorAtRule))
        .isCloseTo(threshold, within(1e-6));
    assertThat(logBayesFactor(ce, errors, share(lower * 1.0001, cr, sr), priorAtRule))
        .isLessThan(threshold);
    assertThat(logBayesFactor(ce, errors, share(lower * 0.9999, cr, sr), priorAtRule))
        .isGreaterThan(threshold);

    assertThat(logBayesFactor(ce, errors, share(upper, cr, sr), priorAtOne))
        .isCloseTo(threshold, within(1e-6));
    assertThat(logBayesFactor(ce, errors, share(upper * 0.9999, cr, sr), priorAtOne))
        .isLessThan(threshold);
    assertThat(logBayesFactor(ce, errors, share(upper * 1.0001, cr, sr), priorAtOne))
        .isGreaterThan(threshold);
  }

  @Test
  void onlyTheLowerEndDependsOnTheRuleRatio() {
    RateRatioConfidence atOne = RateRatioConfidence.of(30, 1000, 90, 9000, 0.05, 1);
    RateRatioConfidence atTwo = RateRatioConfidence.of(30, 1000, 90, 9000, 0.05, 2);
    RateRatioConfidence atFour = RateRatioConfidence.of(30, 1000, 90, 9000, 0.05, 4);

    assertThat(atTwo.interval().upper()).isEqualTo(atOne.interval().upper());
    assertThat(atFour.interval().upper()).isEqualTo(atOne.interval().upper());
    assertThat(atTwo.interval().lower()).isNotEqualTo(atOne.interval().lower());
    assertThat(atTwo.estimate()).isEqualTo(atOne.estimate());
  }

  @Test
  void aCanaryThreeTimesWorseIsExcludedFromRatioOne() {
    RateRatioConfidence ratio = RateRatioConfidence.of(30, 1000, 90, 9000, 0.05, RULE);

    assertThat(ratio.estimate()).isCloseTo(3, within(1e-12));
    assertThat(ratio.interval().lower()).isGreaterThan(1);
    assertThat(ratio.interval().contains(3)).isTrue();
  }

  @Test
  void equalRatesKeepRatioOneInside() {
    RateRatioConfidence ratio = RateRatioConfidence.of(10, 1000, 90, 9000, 0.05, RULE);

    assertThat(ratio.estimate()).isCloseTo(1, within(1e-12));
    assertThat(ratio.interval().lower()).isLessThan(1);
    assertThat(ratio.interval().upper()).isGreaterThan(1);
  }

  @Test
  void noStableErrorsGivesAnInfiniteEstimateAndAFiniteLowerBound() {
    double ce = 5;
    double cr = 1000;
    double sr = 9000;
    double alpha = 0.05;

    RateRatioConfidence ratio = RateRatioConfidence.of(ce, cr, 0, sr, alpha, RULE);

    assertThat(ratio.known()).isTrue();
    assertThat(ratio.estimate()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(ratio.interval().upper()).isEqualTo(Double.POSITIVE_INFINITY);
    double lower = ratio.interval().lower();
    assertThat(lower).isFinite().isGreaterThan(0);
    // every error on the canary: BF(theta) = b B(x + 1, b) / theta^x, b = (1 - m) / m
    double m = share(RULE, cr, sr);
    double b = (1 - m) / m;
    double theta = Math.exp((Math.log(alpha) + Math.log(b) + LogBeta.value(ce + 1, b)) / ce);
    assertThat(lower).isCloseTo(theta / (1 - theta) * sr / cr, within(1e-9));
    // five errors on a tenth of the traffic and none on the rest: worse, with 95% confidence
    assertThat(lower).isGreaterThan(1);
  }

  @Test
  void noCanaryErrorsGivesZeroEstimateAndAFiniteUpperBound() {
    RateRatioConfidence ratio = RateRatioConfidence.of(0, 1000, 50, 9000, 0.05, RULE);

    assertThat(ratio.known()).isTrue();
    assertThat(ratio.estimate()).isEqualTo(0);
    assertThat(ratio.interval().lower()).isEqualTo(0);
    double upper = ratio.interval().upper();
    // no canary errors: BF(theta) = [b / (b + x)] / (1 - theta)^x, prior at rho = 1, b = 9
    double b = 9;
    double theta = 1 - Math.pow(0.05 * b / (b + 50), 1.0 / 50);
    assertThat(upper).isCloseTo(theta / (1 - theta) * 9, within(1e-9));
    // fifty stable errors and none on a tenth of the traffic: not twice as bad
    assertThat(upper).isLessThan(RULE);
  }

  @Test
  void theNumberOfRequestsDropsOutWhenTheSplitStaysTheSame() {
    // conditional on the errors, only the split of the traffic matters
    RateRatioConfidence small = RateRatioConfidence.of(12, 1000, 80, 9000, 0.05, RULE);
    RateRatioConfidence large = RateRatioConfidence.of(12, 100_000, 80, 900_000, 0.05, RULE);

    assertThat(large.estimate()).isCloseTo(small.estimate(), within(1e-12));
    assertThat(large.interval().lower()).isCloseTo(small.interval().lower(), within(1e-9));
    assertThat(large.interval().upper()).isCloseTo(small.interval().upper(), within(1e-9));
  }

  @Test
  void moreDataAtTheSameRatesGivesANarrowerInterval() {
    double previousSpread = Double.POSITIVE_INFINITY;
    for (double g : new double[] {1, 4, 16, 64, 256}) {
      Interval interval =
          RateRatioConfidence.of(10 * g, 1000 * g, 90 * g, 9000 * g, 0.05, RULE).interval();
      double spread = Math.log(interval.upper() / interval.lower());

      assertThat(interval.contains(1)).isTrue();
      assertThat(spread).as("log(upper/lower) at %sx the data", g).isLessThan(previousSpread);
      previousSpread = spread;
    }
    assertThat(previousSpread).isLessThan(Math.log(1.2));
  }

  @Test
  void higherConfidenceGivesAWiderInterval() {
    Interval previous = null;
    for (double alpha : new double[] {0.2, 0.1, 0.05, 0.01, 0.001}) {
      Interval interval = RateRatioConfidence.of(20, 1000, 90, 9000, alpha, RULE).interval();
      if (previous != null) {
        assertThat(interval.lower()).as("lower at alpha %s", alpha).isLessThan(previous.lower());
        assertThat(interval.upper()).as("upper at alpha %s", alpha).isGreaterThan(previous.upper());
      }
      previous = interval;
    }
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 1000, 5, 9000",
    "5, 1000, -1, 9000",
    "3, -1, 2, 9000",
    "NaN, 1000, 5, 9000",
    "5, Infinity, 5, 9000"
  })
  void negativeNaNOrInfiniteCountsAreRejected(double ce, double cr, double se, double sr) {
    assertThatThrownBy(() -> RateRatioConfidence.of(ce, cr, se, sr, 0.05, RULE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("counts must be finite and >= 0");
  }

  @Test
  void anInvalidAlphaIsRejected() {
    assertThatThrownBy(() -> RateRatioConfidence.of(5, 1000, 5, 9000, 1, RULE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -1, -9, -10, Double.NaN, Double.POSITIVE_INFINITY})
  void aRuleRatioThatIsNotAPositiveNumberIsRejected(double rule) {
    assertThatThrownBy(() -> RateRatioConfidence.of(5, 1000, 5, 9000, 0.05, rule))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** How often, in 2,000 sequences of 20 looks, either end ever excluded the true ratio. */
  private record Exclusions(double lowerAbove, double upperBelow, double either) {}

  /** Errors Poisson per look on each side, a fixed traffic split, the rule at twice the stable. */
  private static Exclusions simulate(
      double rateCanary, double rateStable, double canaryPerLook, double stablePerLook) {
    double alpha = 0.05;
    double truth = rateCanary / rateStable;
    SplittableRandom random = new SplittableRandom(7);
    int sequences = 2_000;
    int lowerAbove = 0;
    int upperBelow = 0;
    int either = 0;
    for (int s = 0; s < sequences; s++) {
      double ce = 0;
      double cr = 0;
      double se = 0;
      double sr = 0;
      boolean low = false;
      boolean high = false;
      for (int look = 0; look < 20; look++) {
        cr += canaryPerLook;
        sr += stablePerLook;
        ce += poisson(random, rateCanary * canaryPerLook);
        se += poisson(random, rateStable * stablePerLook);
        Interval interval = RateRatioConfidence.of(ce, cr, se, sr, alpha, RULE).interval();
        low |= interval.lower() > truth;
        high |= interval.upper() < truth;
      }
      lowerAbove += low ? 1 : 0;
      upperBelow += high ? 1 : 0;
      either += low || high ? 1 : 0;
    }
    return new Exclusions(
        (double) lowerAbove / sequences,
        (double) upperBelow / sequences,
        (double) either / sequences);
  }

  @ParameterizedTest
  @CsvSource({"0.01, 500, 4500", "0.002, 1000, 1000", "0.05, 100, 2000"})
  void equalRatesExcludeRatioOneAtAnyLookInAtMostAlphaOfSequences(
      double rate, double canaryPerLook, double stablePerLook) {
    Exclusions exclusions = simulate(rate, rate, canaryPerLook, stablePerLook);

    assertThat(exclusions.lowerAbove()).isLessThanOrEqualTo(0.05);
    assertThat(exclusions.upperBelow()).isLessThanOrEqualTo(0.05);
    assertThat(exclusions.either()).isLessThanOrEqualTo(0.05);
  }

  @Test
  void aCanaryExactlyAtTheRuleIsCoveredToo() {
    // where the lower end's prior sits
    Exclusions exclusions = simulate(0.02, 0.01, 500, 4500);

    assertThat(exclusions.lowerAbove()).isLessThanOrEqualTo(0.05);
    assertThat(exclusions.upperBelow()).isLessThanOrEqualTo(0.05);
    assertThat(exclusions.either()).isLessThanOrEqualTo(0.05);
  }

  @Test
  void aCanaryThreeTimesAsBadIsFoundWorseInMostSequences() {
    // the coverage tests above would pass for an interval that never excludes anything
    double alpha = 0.05;
    SplittableRandom random = new SplittableRandom(13);
    int sequences = 500;
    int caught = 0;
    for (int s = 0; s < sequences; s++) {
      double ce = 0;
      double se = 0;
      for (int look = 1; look <= 20; look++) {
        ce += poisson(random, 0.03 * 500);
        se += poisson(random, 0.01 * 4500);
        if (RateRatioConfidence.of(ce, 500 * look, se, 4500 * look, alpha, RULE).interval().lower()
            > 1) {
          caught++;
          break;
        }
      }
    }
    assertThat((double) caught / sequences).isGreaterThan(0.9);
  }

  @Test
  void binomialSidesWithRareErrorsAreCoveredToo() {
    // the Poisson model is an approximation for errors among a known number of requests
    double p = 0.02;
    double alpha = 0.05;
    SplittableRandom random = new SplittableRandom(11);
    int sequences = 1_000;
    int excluded = 0;
    for (int s = 0; s < sequences; s++) {
      double ce = 0;
      double se = 0;
      boolean ever = false;
      for (int look = 1; look <= 20; look++) {
        ce += binomial(random, 50, p);
        se += binomial(random, 450, p);
        ever |=
            !RateRatioConfidence.of(ce, 50 * look, se, 450 * look, alpha, RULE)
                .interval()
                .contains(1);
      }
      if (ever) {
        excluded++;
      }
    }
    assertThat((double) excluded / sequences).isLessThanOrEqualTo(alpha);
  }

  /** Knuth's multiplication method; fine for the small means used here. */
  private static int poisson(SplittableRandom random, double mean) {
    double limit = Math.exp(-mean);
    int k = 0;
    double product = random.nextDouble();
    while (product > limit) {
      k++;
      product *= random.nextDouble();
    }
    return k;
  }

  private static int binomial(SplittableRandom random, int n, double p) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < p) {
        k++;
      }
    }
    return k;
  }
}
