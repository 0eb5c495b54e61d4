package dev.canaryoperator.statistics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class MeanDifferenceConfidenceTest {

  private static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);

  /** Robbins' normal-mixture boundary, written out: v the variance, s the prior's scale. */
  private static double halfWidth(double v, double alpha, double s) {
    return Math.sqrt(
        2 * v * (1 + v / (s * s)) * (Math.log(1 / alpha) + Math.log(1 + s * s / v) / 2));
  }

  private static double fixedSampleHalfWidth(double v, double alpha) {
    return STANDARD.inverseSurvivalProbability(alpha / 2) * Math.sqrt(v);
  }

  @ParameterizedTest
  @CsvSource({
    // difference, variance, alpha, scale, half-width worked out by hand
    "3,    4,      0.05, 2,    7.312789742727697",
    "-1.5, 0.25,   0.01, 1,    1.8387987148892109",
    "0,    0.0001, 0.1,  0.05, 0.028596848415463474"
  })
  void theHalfWidthIsTheNormalMixtureBoundary(
      double difference, double variance, double alpha, double scale, double expectedHalf) {
    Interval interval = MeanDifferenceConfidence.interval(difference, variance, alpha, scale);

    assertThat(halfWidth(variance, alpha, scale)).isCloseTo(expectedHalf, within(1e-12));
    assertThat(interval.lower()).isCloseTo(difference - expectedHalf, within(1e-12));
    assertThat(interval.upper()).isCloseTo(difference + expectedHalf, within(1e-12));
  }

  @Test
  void theBoundaryIsWhereTheMixtureMartingaleReachesOneOverAlpha() {
    // M = sqrt(v / (v + s^2)) exp(d^2 s^2 / (2 v (v + s^2))), the mixture of the likelihood
    // ratios of every drift under N(0, s^2); at the ends of the interval around 0 it is 1/alpha
    double v = 0.3;
    double s = 0.7;
    double alpha = 0.02;
    double d = MeanDifferenceConfidence.interval(0, v, alpha, s).upper();

    double logMixture = 0.5 * Math.log(v / (v + s * s)) + d * d * s * s / (2 * v * (v + s * s));
    assertThat(logMixture).isCloseTo(Math.log(1 / alpha), within(1e-12));
  }

  @Test
  void isCentredOnTheObservedDifference() {
    Interval interval = MeanDifferenceConfidence.interval(12.5, 9, 0.05, 5);

    assertThat((interval.lower() + interval.upper()) / 2).isCloseTo(12.5, within(1e-12));
    assertThat(interval.contains(12.5)).isTrue();
  }

  static Stream<Arguments> widerCases() {
    return Stream.of(
        Arguments.of(1.0, 0.05, 1.0),
        Arguments.of(1.0, 0.05, 0.01),
        Arguments.of(1.0, 0.05, 100.0),
        Arguments.of(1e-4, 0.01, 0.01),
        Arguments.of(25.0, 0.2, 5.0),
        Arguments.of(4.0, 1e-6, 2.0));
  }

  @ParameterizedTest
  @MethodSource("widerCases")
  void isWiderThanTheFixedSampleNormalInterval(double variance, double alpha, double scale) {
    Interval interval = MeanDifferenceConfidence.interval(0, variance, alpha, scale);

    assertThat(interval.upper()).isGreaterThan(fixedSampleHalfWidth(variance, alpha));
    assertThat(interval.lower()).isLessThan(-fixedSampleHalfWidth(variance, alpha));
  }

  @Test
  void isTightestWhenTheStandardErrorIsNearTheScale() {
    double variance = 1;
    double alpha = 0.05;
    double atScale = MeanDifferenceConfidence.interval(0, variance, alpha, 2).upper();

    assertThat(atScale)
        .isLessThan(MeanDifferenceConfidence.interval(0, variance, alpha, 0.1).upper());
    assertThat(atScale)
        .isLessThan(MeanDifferenceConfidence.interval(0, variance, alpha, 100).upper());
    // and costs well under twice the fixed-sample width there
    assertThat(atScale).isLessThan(1.6 * fixedSampleHalfWidth(variance, alpha));
  }

  @Test
  void zeroVarianceIsAPoint() {
    assertThat(MeanDifferenceConfidence.interval(3.25, 0, 0.05, 1))
        .isEqualTo(new Interval(3.25, 3.25));
    assertThat(MeanDifferenceConfidence.interval(-2, 0, 0.001, 1e-3))
        .isEqualTo(new Interval(-2, -2));
  }

  @Test
  void lessVarianceGivesANarrowerInterval() {
    double previous = Double.POSITIVE_INFINITY;
    for (double v : new double[] {100, 10, 1, 0.1, 0.01, 1e-4, 1e-8}) {
      double half = MeanDifferenceConfidence.interval(0, v, 0.05, 1).upper();

      assertThat(half).as("half-width at variance %s", v).isLessThan(previous).isPositive();
      previous = half;
    }
  }

  @Test
  void higherConfidenceGivesAWiderInterval() {
    double previous = 0;
    for (double alpha : new double[] {0.5, 0.2, 0.1, 0.05, 0.01, 0.001, 1e-9}) {
      double half = MeanDifferenceConfidence.interval(0, 2, alpha, 1).upper();

      assertThat(half).as("half-width at alpha %s", alpha).isGreaterThan(previous);
      previous = half;
    }
  }

  static Stream<Arguments> invalid() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    return Stream.of(
        Arguments.of(nan, 1, 0.05, 1, "difference"),
        Arguments.of(inf, 1, 0.05, 1, "difference"),
        Arguments.of(-inf, 1, 0.05, 1, "difference"),
        Arguments.of(0, nan, 0.05, 1, "variance"),
        Arguments.of(0, -1e-9, 0.05, 1, "variance"),
        Arguments.of(0, inf, 0.05, 1, "variance"),
        Arguments.of(0, 1, 0, 1, "alpha"),
        Arguments.of(0, 1, 1, 1, "alpha"),
        Arguments.of(0, 1, nan, 1, "alpha"),
        Arguments.of(0, 1, 0.05, 0, "scale"),
        Arguments.of(0, 1, 0.05, -1, "scale"),
        Arguments.of(0, 1, 0.05, nan, "scale"),
        Arguments.of(0, 1, 0.05, inf, "scale"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsInvalidInputsNamingTheProblem(
      double difference, double variance, double alpha, double scale, String problem) {
    assertThatThrownBy(() -> MeanDifferenceConfidence.interval(difference, variance, alpha, scale))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  private interface IntervalMaker {
    Interval make(double difference, double variance);
  }

  /**
   * Normal latencies, the same mean on both sides, a 10/90 split with different spreads, known
   * variances: the share of 2,000 sequences of 20 looks whose interval ever leaves 0 out.
   */
  private static double everExcludesZero(IntervalMaker maker) {
    SplittableRandom random = new SplittableRandom(99);
    double sigmaCanary = 1;
    double sigmaStable = 2;
    int canaryPerLook = 10;
    int stablePerLook = 90;
    int sequences = 2_000;
    int excluded = 0;
    for (int s = 0; s < sequences; s++) {
      double canarySum = 0;
      double stableSum = 0;
      boolean ever = false;
      for (int look = 1; look <= 20; look++) {
        // the sum of m normal draws is one normal draw with m times the variance
        canarySum += Math.sqrt(canaryPerLook) * sigmaCanary * random.nextGaussian();
        stableSum += Math.sqrt(stablePerLook) * sigmaStable * random.nextGaussian();
        double nc = canaryPerLook * look;
        double ns = stablePerLook * look;
        double difference = canarySum / nc - stableSum / ns;
        double variance = sigmaCanary * sigmaCanary / nc + sigmaStable * sigmaStable / ns;
        ever |= !maker.make(difference, variance).contains(0);
      }
      if (ever) {
        excluded++;
      }
    }
    return (double) excluded / sequences;
  }

  @ParameterizedTest
  @CsvSource({"0.05", "0.3", "3"})
  void excludesTheTrueDifferenceAtAnyLookInAtMostAlphaOfSequences(double scale) {
    double alpha = 0.05;
    double share =
        everExcludesZero((d, v) -> MeanDifferenceConfidence.interval(d, v, alpha, scale));

    assertThat(share).isLessThanOrEqualTo(alpha);
  }

  @Test
  void theSimulationCatchesAnIntervalThatIsOnlyValidAtOneLook() {
    double alpha = 0.05;

    double share =
        everExcludesZero(
            (d, v) ->
                new Interval(
                    d - fixedSampleHalfWidth(v, alpha), d + fixedSampleHalfWidth(v, alpha)));

    assertThat(share).isGreaterThan(2 * alpha);
  }
}
