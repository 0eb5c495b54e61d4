package dev.canaryoperator.statistics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HistogramTest {

  private static final double INF = Double.POSITIVE_INFINITY;

  /** 100 requests: 10 under 100 ms, 30 to 250 ms, 30 to 500 ms, 20 to 1 s, 10 slower. */
  private static final Histogram LATENCIES =
      new Histogram(new double[] {0.1, 0.25, 0.5, 1, INF}, new double[] {10, 40, 70, 90, 100}, 35);

  private static Histogram histogram(double[] bounds, double[] counts, double sum) {
    return new Histogram(bounds, counts, sum);
  }

  @Test
  void countAndMeanComeFromTheInfBucketAndTheSum() {
    assertThat(LATENCIES.count()).isEqualTo(100);
    assertThat(LATENCIES.mean()).isCloseTo(0.35, within(1e-12));
  }

  @ParameterizedTest
  @CsvSource({
    // q, histogram_quantile worked out by hand
    "0,    0", // rank 0: the start of the first bucket, which starts at 0
    "0.05, 0.05", // rank 5 of 10 in [0, 0.1]
    "0.1,  0.1", // rank 10: the top of the first bucket
    "0.25, 0.175", // rank 25: 15 of 30 into [0.1, 0.25]
    "0.5,  0.3333333333333333", // rank 50: 10 of 30 into [0.25, 0.5]
    "0.7,  0.5", // rank 70: the top of [0.25, 0.5]
    "0.8,  0.75", // rank 80: 10 of 20 into [0.5, 1]
    "0.9,  1", // rank 90: the top of the last finite bucket
    "0.95, 1", // rank 95 is in the +Inf bucket: the highest finite bound
    "0.99, 1",
    "1,    1"
  })
  void quantileInterpolatesLikeHistogramQuantile(double q, double expected) {
    assertThat(LATENCIES.quantile(q)).isCloseTo(expected, within(1e-12));
  }

  @Test
  void quantileSkipsEmptyBuckets() {
    Histogram h = histogram(new double[] {1, 2, 3, INF}, new double[] {5, 5, 10, 10}, 15);

    assertThat(h.quantile(0.5)).isCloseTo(1, within(1e-12)); // rank 5: the top of [0, 1]
    assertThat(h.quantile(0.6)).isCloseTo(2.2, within(1e-12)); // rank 6: 1 of 5 into [2, 3]
    assertThat(h.quantile(1)).isCloseTo(3, within(1e-12));
  }

  @Test
  void quantileOfAHistogramWithEverythingInTheInfBucketIsTheHighestFiniteBound() {
    Histogram h = histogram(new double[] {0.5, 1, INF}, new double[] {0, 0, 5}, 20);

    assertThat(h.quantile(0.01)).isEqualTo(1);
    assertThat(h.quantile(0.5)).isEqualTo(1);
  }

  @Test
  void aFirstBoundAtOrBelowZeroAnswersItselfAsPrometheusDoes() {
    Histogram h = histogram(new double[] {-1, 0, 1, INF}, new double[] {2, 4, 8, 8}, 0);

    assertThat(h.quantile(0.1)).isEqualTo(-1); // rank 0.8, in the first bucket
    assertThat(h.quantile(0.375)).isCloseTo(-0.5, within(1e-12)); // rank 3: 1 of 2 into [-1, 0]
    assertThat(h.quantile(0.75)).isCloseTo(0.5, within(1e-12)); // rank 6: 2 of 4 into [0, 1]
  }

  @Test
  void countAboveABucketBoundCountsTheBucketsAboveIt() {
    assertThat(LATENCIES.countAbove(0.1)).isCloseTo(90, within(1e-9));
    assertThat(LATENCIES.countAbove(0.25)).isCloseTo(60, within(1e-9));
    assertThat(LATENCIES.countAbove(0.5)).isCloseTo(30, within(1e-9));
    assertThat(LATENCIES.countAbove(1)).isCloseTo(10, within(1e-9));
  }

  @Test
  void countAboveALimitInsideABucketTakesItsShareOfThatBucket() {
    // 30 in [0.25, 0.5]: half of them above 0.375, plus the 30 above 0.5
    assertThat(LATENCIES.countAbove(0.375)).isCloseTo(45, within(1e-9));
    // 10 in [0, 0.1]: 5 above 0.05, plus the 90 above 0.1
    assertThat(LATENCIES.countAbove(0.05)).isCloseTo(95, within(1e-9));
    // 20 in [0.5, 1]: 4 above 0.9, plus the 10 in the +Inf bucket
    assertThat(LATENCIES.countAbove(0.9)).isCloseTo(14, within(1e-9));
  }

  @Test
  void countAboveTakesTheInfBucketToReachTwiceTheLastFiniteBound() {
    assertThat(LATENCIES.countAbove(1.5)).isCloseTo(5, within(1e-9)); // half of [1, 2]
    assertThat(LATENCIES.countAbove(2)).isEqualTo(0);
    assertThat(LATENCIES.countAbove(10)).isEqualTo(0);
  }

  @Test
  void countAboveZeroOrLessIsEverything() {
    assertThat(LATENCIES.countAbove(0)).isEqualTo(100);
    assertThat(LATENCIES.countAbove(-1)).isEqualTo(100);
  }

  @ParameterizedTest
  @CsvSource({"0.05", "0.2", "0.5", "0.65", "0.8"})
  void countAboveUndoesQuantileInsideTheFiniteBuckets(double q) {
    assertThat(LATENCIES.countAbove(LATENCIES.quantile(q)))
        .isCloseTo((1 - q) * LATENCIES.count(), within(1e-9));
  }

  @Test
  void varianceOfObservationsAllInOneBucketIsItsUniformSpreadPlusTheMidpointsDistance() {
    // 10 observations in [0.1, 0.2], mean 0.17: (0.15 - 0.17)^2 + 0.1^2 / 12
    Histogram h = histogram(new double[] {0.1, 0.2, INF}, new double[] {0, 10, 10}, 1.7);

    assertThat(h.variance()).isCloseTo(0.0004 + 0.01 / 12, within(1e-12));
  }

  @Test
  void varianceInTheFirstBucketStartsItAtZero() {
    // 4 observations in [0, 0.5], mean 0.3: (0.25 - 0.3)^2 + 0.5^2 / 12
    Histogram h = histogram(new double[] {0.5, 1, INF}, new double[] {4, 4, 4}, 1.2);

    assertThat(h.variance()).isCloseTo(0.0025 + 0.25 / 12, within(1e-12));
  }

  @Test
  void varianceInTheInfBucketSpreadsItToTwiceTheLastFiniteBound() {
    // 3 observations in [2, 4], mean 3: the midpoint is the mean, 2^2 / 12
    Histogram h = histogram(new double[] {1, 2, INF}, new double[] {0, 0, 3}, 9);

    assertThat(h.variance()).isCloseTo(4.0 / 12, within(1e-12));
  }

  @Test
  void varianceAddsEveryBucketsShare() {
    // 2 in [0, 1] and 4 in [1, 3], mean 9 / 6 = 1.5:
    // 2 ((0.5 - 1.5)^2 + 1/12) + 4 ((2 - 1.5)^2 + 4/12) = 13/6 + 7/3 = 4.5, over 6
    Histogram h = histogram(new double[] {1, 3, INF}, new double[] {2, 6, 6}, 9);

    assertThat(h.variance()).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void varianceOfUniformObservationsMatchesTheirSampleVariance() {
    // observations really are uniform within the buckets here, so the estimate is close
    SplittableRandom random = new SplittableRandom(5);
    double[] bounds = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, INF};
    double[] counts = new double[bounds.length];
    int n = 100_000;
    double sum = 0;
    double sumOfSquares = 0;
    for (int i = 0; i < n; i++) {
      double x = random.nextDouble();
      sum += x;
      sumOfSquares += x * x;
      for (int b = 0; b < bounds.length; b++) {
        if (x <= bounds[b]) {
          counts[b]++; // cumulative: every bucket whose bound is at least x
        }
      }
    }
    double sampleVariance = sumOfSquares / n - (sum / n) * (sum / n);

    Histogram h = histogram(bounds, counts, sum);

    assertThat(h.count()).isEqualTo(n);
    assertThat(sampleVariance).isCloseTo(1.0 / 12, within(0.002));
    assertThat(h.variance()).isCloseTo(sampleVariance, within(2e-4));
  }

  @Test
  void countsThatDipAreMadeMonotone() {
    // the third counter was scraped a moment earlier than the second
    Histogram h = histogram(new double[] {1, 2, 3, INF}, new double[] {4, 6, 5, 10}, 20);

    assertThat(h.cumulativeCounts()).containsExactly(4, 6, 6, 10);
    assertThat(h.count()).isEqualTo(10);
    // no bucket is negative: (2, 3] is empty, and the 4 in the +Inf bucket are all above 2.5
    assertThat(h.countAbove(2.5)).isCloseTo(4, within(1e-12));
  }

  @Test
  void aLastCountThatDipsDoesNotShrinkTheCount() {
    Histogram h = histogram(new double[] {1, 2, INF}, new double[] {5, 10, 8}, 12);

    assertThat(h.cumulativeCounts()).containsExactly(5, 10, 10);
    assertThat(h.count()).isEqualTo(10);
    assertThat(h.mean()).isCloseTo(1.2, within(1e-12));
    assertThat(h.quantile(1)).isEqualTo(2);
  }

  @Test
  void negativeCountsAreRaisedToZero() {
    Histogram h = histogram(new double[] {1, INF}, new double[] {-2, 3}, 2);

    assertThat(h.cumulativeCounts()).containsExactly(0, 3);
    assertThat(h.countAbove(1)).isEqualTo(3);
  }

  @Test
  void anEmptyHistogramHasNoMeanVarianceOrQuantile() {
    Histogram h = histogram(new double[] {0.1, 1, INF}, new double[] {0, 0, 0}, 0);

    assertThat(h.count()).isEqualTo(0);
    assertThat(h.mean()).isNaN();
    assertThat(h.variance()).isNaN();
    assertThat(h.quantile(0.5)).isNaN();
    assertThat(h.countAbove(0.5)).isEqualTo(0);
  }

  @Test
  void keepsItsOwnCopyOfTheArrays() {
    double[] bounds = {1, 2, INF};
    double[] counts = {1, 2, 3};
    Histogram h = histogram(bounds, counts, 4);

    bounds[0] = 0.5;
    counts[2] = 100;

    assertThat(h.upperBounds()).containsExactly(1, 2, INF);
    assertThat(h.count()).isEqualTo(3);
  }

  @Test
  void equalityIsByContent() {
    Histogram a = histogram(new double[] {1, INF}, new double[] {1, 2}, 3);
    Histogram b = histogram(new double[] {1, INF}, new double[] {1, 2}, 3);
    Histogram dipped = histogram(new double[] {1, INF}, new double[] {2, 1}, 3);
    Histogram monotone = histogram(new double[] {1, INF}, new double[] {2, 2}, 3);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(histogram(new double[] {1, INF}, new double[] {1, 2}, 3.5));
    assertThat(a).isNotEqualTo(histogram(new double[] {2, INF}, new double[] {1, 2}, 3));
    assertThat(a).isNotEqualTo(histogram(new double[] {1, INF}, new double[] {1, 3}, 3));
    assertThat(dipped).isEqualTo(monotone);
    assertThat(a.toString()).contains("[1.0, Infinity]").contains("[1.0, 2.0]");
  }

  @Test
  void rejectsBucketsWithoutCounts() {
    assertThatThrownBy(() -> histogram(new double[] {}, new double[] {}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("as many counts as bucket bounds");
    assertThatThrownBy(() -> histogram(new double[] {1, INF}, new double[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("as many counts as bucket bounds");
  }

  @Test
  void rejectsAHistogramWithoutAnInfBucket() {
    assertThatThrownBy(() -> histogram(new double[] {1, 2}, new double[] {1, 2}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("+Inf");
  }

  @Test
  void rejectsBoundsThatDoNotIncrease() {
    assertThatThrownBy(() -> histogram(new double[] {2, 1, INF}, new double[] {1, 2, 3}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must increase");
    assertThatThrownBy(() -> histogram(new double[] {1, 1, INF}, new double[] {1, 2, 3}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must increase");
    assertThatThrownBy(
            () -> histogram(new double[] {1, Double.NaN, INF}, new double[] {1, 2, 3}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must increase");
  }
}
