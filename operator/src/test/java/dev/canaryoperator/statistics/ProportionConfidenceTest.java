package dev.canaryoperator.statistics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.numbers.gamma.LogBeta;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProportionConfidenceTest {

  /**
   * The log Bayes factor of the Beta(1, (1-m)/m) mixture against the point p, written out
   * independently of the class: log B(1+k, b+n-k) - log B(1, b) - k log p - (n-k) log(1-p).
   */
  static double logBayesFactor(double k, double n, double p, double priorMean) {
    double b = (1 - priorMean) / priorMean;
    return LogBeta.value(1 + k, b + n - k)
        - LogBeta.value(1, b)
        - k * Math.log(p)
        - (n - k) * Math.log1p(-p);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(20, 1000, 0.05, 0.02),
        Arguments.of(3, 50, 0.05, 0.01),
        Arguments.of(200, 10_000, 0.01, 0.02),
        Arguments.of(7.5, 120.25, 0.1, 0.05),
        Arguments.of(40, 60, 0.05, 0.3),
        Arguments.of(59, 60, 0.05, 0.5),
        Arguments.of(1, 1, 0.05, 0.02),
        Arguments.of(0, 100, 0.05, 0.02),
        Arguments.of(100, 100, 0.05, 0.02),
        Arguments.of(2e6, 1e8, 0.05, 0.02));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void eachFiniteBoundIsWhereTheBayesFactorReachesOneOverAlpha(
      double k, double n, double alpha, double priorMean) {
    Interval interval = ProportionConfidence.interval(k, n, alpha, priorMean);
    double threshold = Math.log(1 / alpha);

    assertThat(interval.contains(k / n)).as("contains the MLE").isTrue();
    if (k > 0) {
      double lower = interval.lower();
      assertThat(lower).isGreaterThan(0);
      assertThat(logBayesFactor(k, n, lower, priorMean)).isCloseTo(threshold, within(1e-6));
      double step = 1e-5 * Math.min(lower, 1 - lower);
      assertThat(logBayesFactor(k, n, lower + step, priorMean))
          .as("just inside the lower bound")
          .isLessThan(threshold);
      assertThat(logBayesFactor(k, n, lower - step, priorMean))
          .as("just outside the lower bound")
          .isGreaterThan(threshold);
    } else {
      assertThat(interval.lower()).isEqualTo(0);
    }
    if (k < n) {
      double upper = interval.upper();
      assertThat(upper).isLessThan(1);
      assertThat(logBayesFactor(k, n, upper, priorMean)).isCloseTo(threshold, within(1e-6));
      double step = 1e-5 * Math.min(upper, 1 - upper);
      assertThat(logBayesFactor(k, n, upper - step, priorMean))
          .as("just inside the upper bound")
          .isLessThan(threshold);
      assertThat(logBayesFactor(k, n, upper + step, priorMean))
          .as("just outside the upper bound")
          .isGreaterThan(threshold);
    } else {
      assertThat(interval.upper()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theIntervalIsExactlyTheSetOfProportionsNotRejected(
      double k, double n, double alpha, double priorMean) {
    Interval interval = ProportionConfidence.interval(k, n, alpha, priorMean);
    double threshold = Math.log(1 / alpha);

    for (int i = 1; i < 200; i++) {
      double p = i / 200.0;
      double lbf = logBayesFactor(k, n, p, priorMean);
      // leave out points within a hair of a bound, where rounding decides
      if (Math.abs(lbf - threshold) > 1e-6) {
        assertThat(interval.contains(p))
            .as("p = %s, log BF = %s", p, lbf)
            .isEqualTo(lbf < threshold);
      }
    }
  }

  @Test
  void zeroSuccessesHasTheClosedFormUpperBound() {
    // BF(p) = [b / (b + n)] / (1 - p)^n, so it reaches 1/alpha at 1 - (alpha b / (b + n))^(1/n)
    double n = 100;
    double alpha = 0.05;
    double b = 49; // prior mean 0.02

    Interval interval = ProportionConfidence.interval(0, n, alpha, 0.02);

    assertThat(interval.lower()).isEqualTo(0);
    assertThat(interval.upper())
        .isCloseTo(1 - Math.pow(alpha * b / (b + n), 1 / n), within(1e-10))
        .isCloseTo(0.0402463, within(1e-6));
  }

  @Test
  void allSuccessesHasTheClosedFormLowerBound() {
    // BF(p) = b B(n + 1, b) / p^n, so it reaches 1/alpha at (alpha b B(n + 1, b))^(1/n)
    double n = 100;
    double alpha = 0.05;
    double b = 49;

    Interval interval = ProportionConfidence.interval(n, n, alpha, 0.02);

    assertThat(interval.upper()).isEqualTo(1);
    assertThat(interval.lower())
        .isCloseTo(
            Math.exp((Math.log(alpha) + Math.log(b) + LogBeta.value(n + 1, b)) / n), within(1e-10))
        .isBetween(0.38, 0.40);
  }

  @Test
  void oneSuccessInOneTrialExcludesOnlyProportionsBelowAlphaTimesThePriorMean() {
    // BF(p) = m / p
    Interval interval = ProportionConfidence.interval(1, 1, 0.05, 0.02);

    assertThat(interval.lower()).isCloseTo(0.001, within(1e-12));
    assertThat(interval.upper()).isEqualTo(1);
  }

  @Test
  void oneFailureInOneTrialExcludesOnlyProportionsNearOne() {
    // BF(p) = (1 - m) / (1 - p)
    Interval interval = ProportionConfidence.interval(0, 1, 0.05, 0.02);

    assertThat(interval.lower()).isEqualTo(0);
    assertThat(interval.upper()).isCloseTo(1 - 0.05 * 0.98, within(1e-12));
  }

  @ParameterizedTest
  @CsvSource({"0.05, 0.02", "0.5, 0.5", "1e-6, 1e-4"})
  void zeroTrialsLeaveEveryProportionPossible(double alpha, double priorMean) {
    assertThat(ProportionConfidence.interval(0, 0, alpha, priorMean)).isEqualTo(new Interval(0, 1));
  }

  @Test
  void fractionalCountsFromPrometheusAreUsedAsTheyAre() {
    Interval fractional = ProportionConfidence.interval(2.5, 100.5, 0.05, 0.02);
    Interval fewer = ProportionConfidence.interval(2, 100.5, 0.05, 0.02);
    Interval more = ProportionConfidence.interval(3, 100.5, 0.05, 0.02);

    assertThat(logBayesFactor(2.5, 100.5, fractional.lower(), 0.02))
        .isCloseTo(Math.log(20), within(1e-6));
    assertThat(logBayesFactor(2.5, 100.5, fractional.upper(), 0.02))
        .isCloseTo(Math.log(20), within(1e-6));
    // half a success more moves both ends up, half a success fewer moves them down
    assertThat(fractional.lower()).isStrictlyBetween(fewer.lower(), more.lower());
    assertThat(fractional.upper()).isStrictlyBetween(fewer.upper(), more.upper());
  }

  @Test
  void moreDataAtTheSameRateGivesANarrowerInterval() {
    double previousWidth = Double.POSITIVE_INFINITY;
    for (double n : new double[] {100, 1_000, 10_000, 100_000, 1_000_000}) {
      Interval interval = ProportionConfidence.interval(0.02 * n, n, 0.05, 0.02);
      double width = interval.upper() - interval.lower();

      assertThat(interval.contains(0.02)).isTrue();
      assertThat(width).as("width at n = %s", n).isLessThan(previousWidth);
      previousWidth = width;
    }
    // a million requests pin a 2% rate down to about +-0.06 percentage points
    assertThat(previousWidth).isBetween(0.001, 0.0012);
  }

  @Test
  void higherConfidenceGivesAWiderIntervalContainingTheNarrowerOne() {
    Interval previous = null;
    for (double alpha : new double[] {0.2, 0.1, 0.05, 0.01, 0.001, 1e-6}) {
      Interval interval = ProportionConfidence.interval(20, 1000, alpha, 0.02);
      if (previous != null) {
        assertThat(interval.lower()).as("lower at alpha %s", alpha).isLessThan(previous.lower());
        assertThat(interval.upper()).as("upper at alpha %s", alpha).isGreaterThan(previous.upper());
      }
      previous = interval;
    }
  }

  @Test
  void isWiderThanTheFixedSampleIntervalAtTheSameConfidence() {
    // the price of being allowed to look at every interval
    double k = 200;
    double n = 10_000;
    double alpha = 0.05;
    double p = k / n;
    double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(alpha / 2);
    double half = z * Math.sqrt(p * (1 - p) / n);

    Interval interval = ProportionConfidence.interval(k, n, alpha, 0.02);

    assertThat(interval.lower()).isLessThan(p - half);
    assertThat(interval.upper()).isGreaterThan(p + half);
  }

  @Test
  void thePriorMeanIsWhereTheIntervalIsTightest() {
    // same data, a prior centred on it versus one centred a hundred times lower
    Interval centred = ProportionConfidence.interval(200, 10_000, 0.05, 0.02);
    Interval offCentre = ProportionConfidence.interval(200, 10_000, 0.05, 0.0002);

    assertThat(centred.upper() - centred.lower()).isLessThan(offCentre.upper() - offCentre.lower());
    assertThat(offCentre.contains(0.02)).isTrue();
  }

  static Stream<Arguments> simulations() {
    return Stream.of(
        // p, prior mean, trials per look
        Arguments.of(0.02, 0.02, 100), Arguments.of(0.02, 0.001, 100), Arguments.of(0.3, 0.05, 20));
  }

  @ParameterizedTest
  @MethodSource("simulations")
  void excludesTheTrueProportionAtAnyLookInAtMostAlphaOfSequences(
      double p, double priorMean, int trialsPerLook) {
    double alpha = 0.05;
    double everExcluded =
        everExcludedShare(
            new SplittableRandom(20240601),
            p,
            trialsPerLook,
            (k, n) -> ProportionConfidence.interval(k, n, alpha, priorMean));

    assertThat(everExcluded).isLessThanOrEqualTo(alpha);
  }

  @Test
  void theSimulationCatchesAnIntervalThatIsOnlyValidAtOneLook() {
    // the same simulation with the fixed-sample Wilson interval: peeking 20 times breaks it
    double alpha = 0.05;
    double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(alpha / 2);
    double everExcluded =
        everExcludedShare(new SplittableRandom(20240601), 0.02, 100, (k, n) -> wilson(k, n, z));

    assertThat(everExcluded).isGreaterThan(2 * alpha);
  }

  private interface IntervalMaker {
    Interval make(double successes, double trials);
  }

  /** The share of 2,000 sequences of 20 looks whose interval ever leaves p out. */
  private static double everExcludedShare(
      SplittableRandom random, double p, int trialsPerLook, IntervalMaker maker) {
    int sequences = 2_000;
    int excluded = 0;
    for (int s = 0; s < sequences; s++) {
      int k = 0;
      int n = 0;
      boolean ever = false;
      for (int look = 0; look < 20; look++) {
        for (int i = 0; i < trialsPerLook; i++) {
          n++;
          if (random.nextDouble() < p) {
            k++;
          }
        }
        ever |= !maker.make(k, n).contains(p);
      }
      if (ever) {
        excluded++;
      }
    }
    return (double) excluded / sequences;
  }

  private static Interval wilson(double k, double n, double z) {
    double p = k / n;
    double z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return new Interval(centre - half, centre + half);
  }

  static Stream<Arguments> invalid() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    return Stream.of(
        Arguments.of(nan, 10, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(1, nan, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(-1, 10, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(0, -1, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(11, 10, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(1, inf, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(inf, inf, 0.05, 0.02, "counts must satisfy"),
        Arguments.of(1, 10, 0, 0.02, "alpha"),
        Arguments.of(1, 10, 1, 0.02, "alpha"),
        Arguments.of(1, 10, -0.05, 0.02, "alpha"),
        Arguments.of(1, 10, nan, 0.02, "alpha"),
        Arguments.of(1, 10, 0.05, 0, "prior mean"),
        Arguments.of(1, 10, 0.05, 1, "prior mean"),
        Arguments.of(1, 10, 0.05, nan, "prior mean"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsInputsThatAreNotCountsOrProbabilities(
      double k, double n, double alpha, double priorMean, String problem) {
    assertThatThrownBy(() -> ProportionConfidence.interval(k, n, alpha, priorMean))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }
}
