package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.statistics.Histogram;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JudgeTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  /** Istio's default bucket bounds of istio_request_duration_milliseconds, in ms. */
  private static final double[] ISTIO_BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000, INF
  };

  /** The Threshold method with the given rule, judging the mean latency of the last 5m. */
  private static Thresholds threshold(
      int minRequests, double errorRateRatio, double minErrorRate, double latencyIncrease) {
    return new Thresholds(
        AnalysisMethod.Threshold,
        0.99,
        minRequests,
        errorRateRatio,
        minErrorRate,
        latencyIncrease,
        LatencyMeasure.Mean,
        0.99,
        "in the last 5m");
  }

  /**
   * The API defaults under Threshold: 100 requests, 2x the stable's error rate with a 1% floor,
   * +10% latency.
   */
  private static final Thresholds DEFAULTS = threshold(100, 2.0, 0.01, 0.10);

  /**
   * One side with {@code errorRate x requests} 5xx responses (requests are chosen so that this is a
   * whole number and the rate the judge computes is exactly the one written) and a latency
   * histogram whose mean is exactly {@code latencyMs}.
   */
  private static SideReadings side(double requests, double errorRate, double latencyMs) {
    double errors = Math.round(errorRate * requests);
    if (requests > 0 && errors / requests != errorRate) {
      throw new IllegalArgumentException(
          "choose a request count for which " + errorRate + " is a whole number of errors");
    }
    return counted(requests, errors, latencyMs);
  }

  /** One side from its counts, every request timed at a mean of {@code latencyMs}. */
  private static SideReadings counted(double requests, double errors, double latencyMs) {
    return new SideReadings(
        Reading.of(requests),
        Reading.of(errors),
        LatencyReading.of(latencies(requests, latencyMs)));
  }

  private static SideReadings counted(double requests, double errors, Histogram latencies) {
    return new SideReadings(Reading.of(requests), Reading.of(errors), LatencyReading.of(latencies));
  }

  /**
   * {@code count} observations all in the Istio bucket that holds {@code meanMs}, summing to count
   * x meanMs: the mean is exactly meanMs.
   */
  private static Histogram latencies(double count, double meanMs) {
    double[] cumulative = new double[ISTIO_BUCKETS.length];
    for (int i = 0; i < ISTIO_BUCKETS.length; i++) {
      cumulative[i] = meanMs <= ISTIO_BUCKETS[i] ? count : 0;
    }
    Histogram h = new Histogram(ISTIO_BUCKETS, cumulative, count * meanMs);
    if (count > 0 && h.mean() != meanMs) {
      throw new IllegalArgumentException("the mean of " + h + " is not exactly " + meanMs);
    }
    return h;
  }

  /** A histogram from its bucket bounds (the last +Inf), cumulative counts and sum. */
  private static Histogram histogram(double[] upperBounds, double[] cumulative, double sum) {
    return new Histogram(upperBounds, cumulative, sum);
  }

  private static Arguments row(
      String name,
      Thresholds t,
      SideReadings canary,
      SideReadings stable,
      Verdict expected,
      String reasonPart) {
    return Arguments.of(name, t, canary, stable, expected, reasonPart);
  }

  static Stream<Arguments> builtInChecks() {
    Thresholds ratio3 = threshold(100, 3.0, 0.001, 0.10);
    Thresholds noFloor = threshold(100, 2.0, 0.0, 0.10);
    return Stream.of(
        // error rate at the 2x edge
        row(
            "exactly 2x the stable's error rate",
            DEFAULTS,
            side(1000, 0.10, 100),
            side(9000, 0.05, 100),
            Verdict.Pass,
            "5xx 10% vs 5%"),
        row(
            "just above 2x",
            DEFAULTS,
            side(10000, 0.1001, 100),
            side(9000, 0.05, 100),
            Verdict.Fail,
            "canary 5xx rate 10% > 2.0 x stable 5% (floor 1%)"),
        row(
            "just below 2x",
            DEFAULTS,
            side(10000, 0.0999, 100),
            side(9000, 0.05, 100),
            Verdict.Pass,
            "5xx 9.99% vs 5%"),
        row(
            "2.1x",
            DEFAULTS,
            side(1000, 0.042, 100),
            side(9000, 0.02, 100),
            Verdict.Fail,
            "canary 5xx rate 4.2% > 2.0 x stable 2%"),
        // 3.0 x 0.15 is 0.44999999999999996 in doubles: the canary at 0.45 is exactly 3x, not above
        row(
            "exactly 3x, a few ulps above in doubles",
            ratio3,
            side(1000, 0.45, 100),
            side(9000, 0.15, 100),
            Verdict.Pass,
            "5xx 45% vs 15%"),
        // the floor when the stable has no errors at all
        row(
            "stable at 0%, canary below the floor",
            DEFAULTS,
            side(1000, 0.009, 100),
            side(9000, 0.0, 100),
            Verdict.Pass,
            "5xx 0.9% vs 0% (limit 1%)"),
        row(
            "stable at 0%, canary exactly at the floor",
            DEFAULTS, side(1000, 0.01, 100), side(9000, 0.0, 100), Verdict.Pass, "(limit 1%)"),
        row(
            "stable at 0%, canary above the floor",
            DEFAULTS,
            side(1000, 0.011, 100),
            side(9000, 0.0, 100),
            Verdict.Fail,
            "canary 5xx rate 1.1% > the 1% floor (stable 0%)"),
        row(
            "floor 0 and stable at 0%: any error fails",
            noFloor,
            side(1000, 0.001, 100),
            side(9000, 0.0, 100),
            Verdict.Fail,
            "canary 5xx rate 0.1% > the 0% floor"),
        row(
            "the floor hides a small stable rate",
            DEFAULTS,
            side(1000, 0.008, 100),
            side(9000, 0.001, 100),
            Verdict.Pass,
            "5xx 0.8% vs 0.1% (limit 1%)"),
        // latency at the +10% edge
        row(
            "latency exactly +10%",
            DEFAULTS,
            side(1000, 0, 110),
            side(9000, 0, 100),
            Verdict.Pass,
            "canary mean latency 110 ms within 10% of stable 100 ms"),
        // 1.13 x 1.1 is 1.2429999999999999 in doubles, below the canary's 1.243
        row(
            "latency exactly +10%, a few ulps above in doubles",
            DEFAULTS, side(1000, 0, 1.243), side(9000, 0, 1.13), Verdict.Pass, "within 10%"),
        row(
            "latency +11%",
            DEFAULTS,
            side(1000, 0, 111),
            side(9000, 0, 100),
            Verdict.Fail,
            "canary mean latency 111 ms > stable 100 ms + 10% (110 ms)"),
        row(
            "latency a hair above +10%",
            DEFAULTS,
            side(1000, 0, 110.001),
            side(9000, 0, 100),
            Verdict.Fail,
            "canary mean latency 110 ms > stable 100 ms + 10%"),
        row(
            "faster canary",
            DEFAULTS,
            side(1000, 0, 50),
            side(9000, 0, 100),
            Verdict.Pass,
            "within 10%"),
        // traffic gates
        row(
            "zero canary traffic",
            DEFAULTS,
            side(0, 0, 100),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary served 0 requests in the last 5m, fewer than the 100 needed to judge"),
        row(
            "one request short of minRequests",
            DEFAULTS,
            counted(99.5, 50, 500),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary served 99 requests"),
        row(
            "a fraction of a request short is short: the count is rounded down",
            DEFAULTS,
            counted(99.75, 0, 100),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary served 99 requests in the last 5m, fewer than the 100 needed to judge"),
        row(
            "exactly minRequests is enough to judge",
            DEFAULTS,
            side(100, 0.5, 100),
            side(9000, 0, 100),
            Verdict.Fail,
            "canary 5xx rate 50%"),
        row(
            "stable without traffic",
            DEFAULTS,
            side(1000, 0, 100),
            side(0, 0, 100),
            Verdict.Inconclusive,
            "stable served no requests in the last 5m: nothing to compare the canary with"),
        // missing values
        row(
            "canary histogram without a timed request",
            DEFAULTS,
            counted(1000, 0, latencies(0, 100)),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary mean latency unavailable: no request was timed"),
        row(
            "NaN canary latency sum",
            DEFAULTS,
            new SideReadings(
                Reading.of(1000), Reading.of(0), LatencyReading.missing("the value is NaN")),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary mean latency unavailable: the value is NaN"),
        row(
            "empty stable latency",
            DEFAULTS,
            side(1000, 0, 100),
            new SideReadings(
                Reading.of(9000),
                Reading.of(0),
                LatencyReading.missing("no data (no series match): q")),
            Verdict.Inconclusive,
            "stable mean latency unavailable: no data (no series match): q"),
        row(
            "failed canary request count",
            DEFAULTS,
            new SideReadings(
                Reading.missing("Prometheus rejected the query"),
                Reading.of(0),
                LatencyReading.of(latencies(1000, 100))),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary request count unavailable: Prometheus rejected the query"),
        row(
            "infinite stable 5xx count",
            DEFAULTS,
            side(1000, 0, 100),
            new SideReadings(
                Reading.of(9000), Reading.of(INF), LatencyReading.of(latencies(9000, 100))),
            Verdict.Inconclusive,
            "stable 5xx rate unavailable: the value is +Inf"),
        // several at once
        row(
            "both checks fail: both named",
            DEFAULTS,
            side(1000, 0.2, 200),
            side(9000, 0.01, 100),
            Verdict.Fail,
            "canary 5xx rate 20% > 2.0 x stable 1% (floor 1%); canary mean latency 200 ms > stable 100 ms + 10% (110 ms)"),
        row(
            "a definite fail beats a check that cannot be judged",
            DEFAULTS,
            new SideReadings(
                Reading.of(1000), Reading.of(500), LatencyReading.missing("the value is NaN")),
            side(9000, 0.01, 100),
            Verdict.Fail,
            "canary 5xx rate 50% > 2.0 x stable 1% (floor 1%); not judged: canary mean latency unavailable"),
        row(
            "the pass sentence",
            DEFAULTS,
            side(5250, 0.004, 182),
            side(99000, 0.003, 176),
            Verdict.Pass,
            "5xx 0.4% vs 0.3% (limit 1%); canary mean latency 182 ms within 10% of stable 176 ms"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builtInChecks")
  void judgesTheBuiltInChecks(
      String name,
      Thresholds t,
      SideReadings canary,
      SideReadings stable,
      Verdict expected,
      String reasonPart) {
    AnalysisResult result = Judge.judge(t, canary, stable, List.of());

    assertThat(result.verdict()).as(result.reason()).isEqualTo(expected);
    assertThat(result.reason()).contains(reasonPart);
  }

  @Test
  void everyVerdictCarriesBothSidesNumbers() {
    AnalysisResult result =
        Judge.judge(DEFAULTS, side(5250, 0.004, 182), side(99000, 0.003, 176), List.of());

    assertThat(result.canary()).isEqualTo(new Measurement(5250.0, 0.004, 182.0));
    assertThat(result.stable()).isEqualTo(new Measurement(99000.0, 0.003, 176.0));
  }

  @Test
  void theThresholdMethodGivesNoEvidence() {
    AnalysisResult result =
        Judge.judge(DEFAULTS, side(5250, 0.004, 182), side(99000, 0.003, 176), List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Pass);
    assertThat(result.evidence()).isEmpty();
  }

  @Test
  void missingNumbersAreNullInTheMeasurement() {
    AnalysisResult result =
        Judge.judge(
            DEFAULTS,
            new SideReadings(Reading.of(40), Reading.of(4), LatencyReading.missing("no data")),
            side(9000, 0, 100),
            List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.canary()).isEqualTo(new Measurement(40.0, 0.1, null));
  }

  // ---- a latency quantile under Threshold

  /** The Threshold method judging a quantile of the latency instead of the mean. */
  private static Thresholds thresholdQuantile(double quantile) {
    return new Thresholds(
        AnalysisMethod.Threshold,
        0.99,
        100,
        2.0,
        0.01,
        0.10,
        LatencyMeasure.Quantile,
        quantile,
        "in the last 1m");
  }

  /**
   * {@code count} observations all in the bucket (lower, upper]: as histogram_quantile does, the
   * q-quantile is read at q of the bucket's width, lower + q x (upper - lower).
   */
  private static Histogram oneBucket(double count, double lower, double upper) {
    return histogram(
        new double[] {lower, upper, INF},
        new double[] {0, count, count},
        count * (lower + upper) / 2);
  }

  @Test
  void theLatencyNameComesFromTheThresholds() {
    AnalysisResult result =
        Judge.judge(
            thresholdQuantile(0.99),
            counted(1000, 0, oneBucket(1000, 100, 250)), // p99 100 + 0.99 x 150 = 248.5
            counted(9000, 0, oneBucket(9000, 50, 100)), // p99 50 + 0.99 x 50 = 99.5
            List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason())
        .isEqualTo("canary p99 latency 249 ms > stable 99.5 ms + 10% (109 ms)");
  }

  /** 95% of the canary's requests in (50, 100], 5% in (100, 250]; mean 80 ms. */
  private static final Histogram SLOW_TAIL =
      histogram(
          new double[] {50, 100, 250, INF}, new double[] {0, 950, 1000, 1000}, 950 * 75 + 50 * 175);

  @Test
  void theQuantileIsInterpolatedInsideItsBucket() {
    // rank 990 falls 40 of the 50 requests into (100, 250]: 100 + 150 x 40/50 = 220 ms
    AnalysisResult result =
        Judge.judge(
            thresholdQuantile(0.99),
            counted(1000, 0, SLOW_TAIL),
            counted(9000, 0, oneBucket(9000, 50, 100)),
            List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason())
        .isEqualTo("canary p99 latency 220 ms > stable 99.5 ms + 10% (109 ms)");
    assertThat(result.canary().latencyMs()).isEqualTo(220.0);
  }

  @Test
  void aSlowTailPassesAtALowerQuantileAndOnTheMean() {
    SideReadings canary = counted(1000, 0, SLOW_TAIL);
    SideReadings stable = counted(9000, 0, oneBucket(9000, 50, 100));

    // rank 950 is the top of (50, 100]: 100 ms against the stable's 50 + 0.95 x 50 = 97.5 ms
    AnalysisResult p95 = Judge.judge(thresholdQuantile(0.95), canary, stable, List.of());
    // the mean, 80 ms against 75 ms, is +6.7%
    AnalysisResult mean = Judge.judge(DEFAULTS, canary, stable, List.of());

    assertThat(p95.verdict()).isEqualTo(Verdict.Pass);
    assertThat(p95.reason()).endsWith("canary p95 latency 100 ms within 10% of stable 97.5 ms");
    assertThat(mean.verdict()).isEqualTo(Verdict.Pass);
    assertThat(mean.reason()).endsWith("canary mean latency 80 ms within 10% of stable 75 ms");
  }

  @Test
  void latencyAndConfidenceNamesForSentences() {
    assertThat(thresholdQuantile(0.999).latencyName()).isEqualTo("p99.9");
    assertThat(thresholdQuantile(0.95).latencyName()).isEqualTo("p95");
    assertThat(DEFAULTS.latencyName()).isEqualTo("mean");
    assertThat(DEFAULTS.confidenceText()).isEqualTo("99%");
    assertThat(
            new Thresholds(
                    AnalysisMethod.Sequential,
                    0.999,
                    100,
                    2.0,
                    0.01,
                    0.1,
                    LatencyMeasure.Mean,
                    0.99,
                    "in this step (1m)")
                .confidenceText())
        .isEqualTo("99.9%");
  }

  // ---- the Sequential method

  @Nested
  class SequentialMethod {
    private static final String STEP = "in this step (10m)";

    /** The Sequential method at 99% confidence with the API's default rule. */
    private static Thresholds sequential(int minRequests, LatencyMeasure measure) {
      return new Thresholds(
          AnalysisMethod.Sequential, 0.99, minRequests, 2.0, 0.01, 0.10, measure, 0.99, STEP);
    }

    private static final Thresholds SEQUENTIAL = sequential(100, LatencyMeasure.Mean);

    private static AnalysisResult judge(Thresholds t, SideReadings canary, SideReadings stable) {
      return Judge.judge(t, canary, stable, List.of());
    }

    private static Evidence evidence(AnalysisResult result, String measure) {
      return result.evidence().stream()
          .filter(e -> e.measure().equals(measure))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + measure + " evidence in " + result));
    }

    @Test
    void isTheDefaultMethod() {
      assertThat(Thresholds.of(new AnalysisSpec(), STEP)).isEqualTo(SEQUENTIAL);
    }

    @Test
    void aHealthyCanaryWithLotsOfTrafficPasses() {
      AnalysisResult result = judge(SEQUENTIAL, side(20_000, 0.01, 100), side(180_000, 0.01, 100));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Pass);
      assertThat(result.reason())
          .startsWith("canary 5xx 1% vs stable 1%: 1x, at most ")
          .containsPattern("at most [0-9.]+x with 99% confidence < 2\\.0x; ")
          .contains("canary mean latency 100 ms vs stable 100 ms: +0%, at most +")
          .endsWith("with 99% confidence < +10%");
      Evidence errors = evidence(result, "5xx rate");
      assertThat(errors.verdict()).isEqualTo(Verdict.Pass);
      assertThat(errors.estimate()).isEqualTo(1.0);
      assertThat(errors.lower()).isLessThan(1.0);
      assertThat(errors.upper()).isGreaterThan(1.0).isLessThan(2.0);
      assertThat(errors.limit()).isEqualTo(2.0);
      assertThat(errors.moreRequests()).isNull();
      assertThat(evidence(result, "mean latency").verdict()).isEqualTo(Verdict.Pass);
    }

    @Test
    void fiveTimesTheStablesErrorsWithLotsOfTrafficFails() {
      AnalysisResult result = judge(SEQUENTIAL, side(20_000, 0.05, 100), side(180_000, 0.01, 100));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Fail);
      assertThat(result.reason())
          .startsWith("canary 5xx 5% vs stable 1%: 5x > 2.0x, and worse than the stable with 99%")
          .containsPattern("^[^;]*99% confidence \\(at least [0-9.]+x\\)$");
      Evidence errors = evidence(result, "5xx rate");
      assertThat(errors.verdict()).isEqualTo(Verdict.Fail);
      assertThat(errors.estimate()).isEqualTo(5.0);
      assertThat(errors.lower()).isGreaterThan(2.0).isLessThan(5.0);
    }

    @Test
    void theIssuesExampleKeepsCollectingInsteadOfFailing() {
      // 3 errors among 260 canary requests (1.15%) against 0.1% of 5,000: over the rule's 1%
      // floor, but 3 errors cannot show the canary worse than the stable
      SideReadings canary = counted(260, 3, 100);
      SideReadings stable = side(5000, 0.001, 100);

      AnalysisResult result = judge(SEQUENTIAL, canary, stable);

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Collecting);
      assertThat(result.reason())
          .startsWith("collecting evidence: canary 5xx 1.15% vs stable 0.1%: 11.5x, between ")
          .contains("with 99% confidence (limit 2.0x, floor 1%): about ")
          .contains("more canary requests to decide");
      // the Threshold method, on the same numbers, rolls back
      assertThat(Judge.judge(DEFAULTS, canary, stable, List.of()).reason())
          .isEqualTo("canary 5xx rate 1.15% > the 1% floor (stable 0.1%)");
    }

    @Test
    void collectingCarriesHowManyMoreRequestsADecisionNeeds() {
      AnalysisResult result = judge(SEQUENTIAL, counted(260, 3, 100), side(5000, 0.001, 100));

      Evidence errors = evidence(result, "5xx rate");
      assertThat(errors.verdict()).isEqualTo(Verdict.Collecting);
      assertThat(errors.moreRequests()).isNotNull().isGreaterThan(0.0);
      assertThat(errors.lower()).isLessThan(1.0);
      assertThat(errors.upper()).isGreaterThan(2.0);
      // the sentence tells the same number
      Matcher more = Pattern.compile("about (\\d+) more canary requests").matcher(result.reason());
      assertThat(more.find()).as(result.reason()).isTrue();
      assertThat(more.group(1)).isEqualTo(Judge.count(errors.moreRequests()));
      // the latency, equal on both sides, is already decided
      Evidence latency = evidence(result, "mean latency");
      assertThat(latency.verdict()).isEqualTo(Verdict.Pass);
      assertThat(latency.moreRequests()).isNull();
    }

    @Test
    void oneOrTwoErrorsAmongFewRequestsCollectRatherThanFail() {
      // 2 of 40 (5%) against 4 of 360 (1.11%): 4.5x, over the rule, which Threshold fails on
      Thresholds twenty = sequential(20, LatencyMeasure.Mean);
      SideReadings stable = counted(360, 4, 100);

      AnalysisResult two = judge(twenty, counted(40, 2, 100), stable);
      AnalysisResult one = judge(twenty, counted(40, 1, 100), stable);

      assertThat(two.verdict()).as(two.reason()).isEqualTo(Verdict.Collecting);
      assertThat(two.reason())
          .startsWith("collecting evidence: canary 5xx 5% vs stable 1.11%: 4.5x, between ")
          .contains("more canary requests to decide");
      assertThat(evidence(two, "5xx rate").verdict()).isEqualTo(Verdict.Collecting);
      assertThat(one.verdict()).as(one.reason()).isEqualTo(Verdict.Collecting);
      assertThat(evidence(one, "5xx rate").verdict()).isEqualTo(Verdict.Collecting);
      assertThat(
              Judge.judge(threshold(20, 2.0, 0.01, 0.10), counted(40, 2, 100), stable, List.of())
                  .verdict())
          .isEqualTo(Verdict.Fail);
    }

    @Test
    void fewRequestsUnderMinRequestsCollectWithoutJudging() {
      AnalysisResult result = judge(SEQUENTIAL, counted(40, 2, 100), counted(360, 4, 100));

      assertThat(result.verdict()).isEqualTo(Verdict.Collecting);
      assertThat(result.reason())
          .isEqualTo(
              "collecting evidence: canary served 40 requests in this step (10m),"
                  + " fewer than the 100 needed to judge: 60 more");
      assertThat(result.evidence()).isEmpty();
    }

    @Test
    void fiftyOfAHundredRequestsNeedFiftyMore() {
      AnalysisResult result = judge(SEQUENTIAL, counted(50, 0, 100), side(9000, 0, 100));

      assertThat(result.verdict()).isEqualTo(Verdict.Collecting);
      assertThat(result.reason())
          .isEqualTo(
              "collecting evidence: canary served 50 requests in this step (10m),"
                  + " fewer than the 100 needed to judge: 50 more");
    }

    @Test
    void noCanaryRequestIsInconclusiveNotCollecting() {
      AnalysisResult result = judge(SEQUENTIAL, side(0, 0, 100), side(9000, 0, 100));

      assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
      assertThat(result.reason())
          .isEqualTo(
              "canary served 0 requests in this step (10m), fewer than the 100 needed to judge");
    }

    @Test
    void aStableWithoutRequestsIsInconclusive() {
      AnalysisResult result = judge(SEQUENTIAL, counted(50, 0, 100), side(0, 0, 100));

      assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
      assertThat(result.reason())
          .isEqualTo(
              "stable served no requests in this step (10m): nothing to compare the canary with");
    }

    @Test
    void aMissingErrorCountIsInconclusive() {
      AnalysisResult result =
          judge(
              SEQUENTIAL,
              new SideReadings(
                  Reading.of(20_000),
                  Reading.missing("Prometheus rejected the query"),
                  LatencyReading.of(latencies(20_000, 100))),
              side(180_000, 0.01, 100));

      assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
      assertThat(result.reason())
          .isEqualTo("canary 5xx count unavailable: Prometheus rejected the query");
    }

    @Test
    void noErrorsOnEitherSidePassOnTheFloor() {
      AnalysisResult result = judge(SEQUENTIAL, side(20_000, 0, 100), side(180_000, 0, 100));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Pass);
      assertThat(result.reason())
          .startsWith("canary 5xx 0% vs stable 0%: canary at most ")
          .contains("with 99% confidence < the 1% floor");
      Evidence errors = evidence(result, "5xx rate");
      assertThat(errors.verdict()).isEqualTo(Verdict.Pass);
      assertThat(errors.estimate()).isNull();
    }

    @Test
    void aLatencyThirtyPercentUpWithManyRequestsFails() {
      AnalysisResult result = judge(SEQUENTIAL, side(20_000, 0.01, 130), side(180_000, 0.01, 100));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Fail);
      assertThat(result.reason())
          .startsWith(
              "canary mean latency 130 ms vs stable 100 ms: +30% > +10%,"
                  + " and slower with 99% confidence (at least +")
          .doesNotContain("5xx");
      Evidence latency = evidence(result, "mean latency");
      assertThat(latency.verdict()).isEqualTo(Verdict.Fail);
      assertThat(latency.estimate()).isEqualTo(1.3, Offset.offset(1e-12));
      assertThat(latency.lower()).isGreaterThan(1.1);
      assertThat(latency.limit()).isEqualTo(1.1, Offset.offset(1e-12));
    }

    @Test
    void anUnchangedLatencyPasses() {
      AnalysisResult result = judge(SEQUENTIAL, side(20_000, 0.01, 100), side(180_000, 0.01, 100));

      assertThat(evidence(result, "mean latency").verdict()).isEqualTo(Verdict.Pass);
      assertThat(result.reason())
          .containsPattern(
              "canary mean latency 100 ms vs stable 100 ms: \\+0%, at most \\+[0-9.]+%"
                  + " with 99% confidence < \\+10%");
    }

    @Test
    void aLatencyFivePercentUpWithFewRequestsCollects() {
      AnalysisResult result = judge(SEQUENTIAL, side(200, 0, 105), side(1800, 0, 100));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Collecting);
      assertThat(result.reason())
          .contains("canary mean latency 105 ms vs stable 100 ms: +5%, between -")
          .contains("with 99% confidence (limit +10%): about ");
      Evidence latency = evidence(result, "mean latency");
      assertThat(latency.verdict()).isEqualTo(Verdict.Collecting);
      assertThat(latency.lower()).isLessThan(1.0);
      assertThat(latency.upper()).isGreaterThan(1.1);
      assertThat(latency.moreRequests()).isGreaterThan(0.0);
    }

    @Test
    void aFailingRuleBeatsOneStillCollecting() {
      // errors 5x with confidence; latency +5%, not yet ruled in or out
      AnalysisResult errorsFail =
          judge(SEQUENTIAL, counted(2000, 100, 105), counted(18_000, 180, 100));
      // latency +30% with confidence; errors 1.5x, not yet ruled in or out
      AnalysisResult latencyFails =
          judge(SEQUENTIAL, counted(2000, 30, 130), counted(18_000, 180, 100));

      assertThat(errorsFail.verdict()).as(errorsFail.reason()).isEqualTo(Verdict.Fail);
      assertThat(errorsFail.reason())
          .startsWith("canary 5xx 5% vs stable 1%: 5x > 2.0x, and worse than the stable")
          .doesNotContain("latency")
          .doesNotContain("collecting");
      assertThat(errorsFail.evidence())
          .extracting(Evidence::verdict)
          .containsExactly(Verdict.Fail, Verdict.Collecting);
      assertThat(latencyFails.verdict()).as(latencyFails.reason()).isEqualTo(Verdict.Fail);
      assertThat(latencyFails.reason())
          .startsWith("canary mean latency 130 ms vs stable 100 ms: +30% > +10%")
          .doesNotContain("5xx");
      assertThat(latencyFails.evidence())
          .extracting(Evidence::verdict)
          .containsExactly(Verdict.Collecting, Verdict.Fail);
    }

    @Test
    void aCustomCheckThatCannotBeJudgedBeatsCollecting() {
      CheckResult unknown = Judge.check(boundsCheck(0.02, null), Reading.missing("no data"), null);

      AnalysisResult result =
          Judge.judge(SEQUENTIAL, counted(50, 0, 100), side(9000, 0, 100), List.of(unknown));

      assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
      assertThat(result.reason()).isEqualTo("conversion: canary value unavailable: no data");
    }

    @Test
    void aPassingCustomCheckDoesNotEndCollecting() {
      CheckResult ok = Judge.check(boundsCheck(0.02, null), Reading.of(0.03), null);

      AnalysisResult result =
          Judge.judge(SEQUENTIAL, counted(50, 0, 100), side(9000, 0, 100), List.of(ok));

      assertThat(result.verdict()).isEqualTo(Verdict.Collecting);
    }

    /** 95% of the canary's requests in (50, 100], 5% in (250, 500]. */
    private static final Histogram FIVE_PERCENT_SLOW =
        histogram(
            new double[] {50, 100, 250, 500, INF},
            new double[] {0, 19_000, 19_000, 20_000, 20_000},
            19_000 * 75 + 1000 * 375);

    @Test
    void aSlowTailFailsOnTheP99() {
      AnalysisResult result =
          judge(
              sequential(100, LatencyMeasure.Quantile),
              counted(20_000, 0, FIVE_PERCENT_SLOW),
              counted(180_000, 0, oneBucket(180_000, 50, 100)));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Fail);
      assertThat(result.reason())
          .startsWith(
              "canary p99 latency 450 ms vs stable 99.5 ms: +352% > +10%, and slower with 99%"
                  + " confidence: at least ")
          .endsWith("of canary requests over the stable's p99, more than 1%");
      assertThat(evidence(result, "p99 latency").verdict()).isEqualTo(Verdict.Fail);
    }

    @Test
    void anUnchangedP99Passes() {
      AnalysisResult result =
          judge(
              sequential(100, LatencyMeasure.Quantile),
              counted(20_000, 0, oneBucket(20_000, 50, 100)),
              counted(180_000, 0, oneBucket(180_000, 50, 100)));

      assertThat(result.verdict()).as(result.reason()).isEqualTo(Verdict.Pass);
      assertThat(result.reason())
          .contains("canary p99 latency 99.5 ms vs stable 99.5 ms: +0%, at most ")
          .endsWith("of canary requests over 109 ms with 99% confidence, fewer than 1%");
    }
  }

  // ---- custom checks

  private static MetricCheck ratioCheck(double maxRatio) {
    MetricCheck check = new MetricCheck();
    check.setName("checkout-errors");
    check.setQuery("unused here");
    check.setMaxRatio(maxRatio);
    return check;
  }

  private static MetricCheck boundsCheck(Double min, Double max) {
    MetricCheck check = new MetricCheck();
    check.setName("conversion");
    check.setQuery("unused here");
    check.setMin(min);
    check.setMax(max);
    return check;
  }

  static Stream<Arguments> customChecks() {
    return Stream.of(
        Arguments.of(
            "ratio exactly at maxRatio",
            ratioCheck(1.5),
            Reading.of(0.225),
            Reading.of(0.15),
            Verdict.Pass,
            "checkout-errors: canary 0.225 within 1.5 x stable 0.15"),
        Arguments.of(
            "ratio above maxRatio",
            ratioCheck(1.5),
            Reading.of(0.3),
            Reading.of(0.15),
            Verdict.Fail,
            "checkout-errors: canary 0.3 > 1.5 x stable 0.15"),
        Arguments.of(
            "ratio with both at 0",
            ratioCheck(1.5),
            Reading.of(0),
            Reading.of(0),
            Verdict.Pass,
            "within 1.5 x stable 0"),
        Arguments.of(
            "ratio without a stable value",
            ratioCheck(1.5),
            Reading.of(0.3),
            Reading.missing("no data"),
            Verdict.Inconclusive,
            "checkout-errors: stable value unavailable: no data"),
        Arguments.of(
            "ratio without a canary value",
            ratioCheck(1.5),
            Reading.of(Double.NaN),
            Reading.of(1),
            Verdict.Inconclusive,
            "checkout-errors: canary value unavailable: the value is NaN"),
        Arguments.of(
            "inside the bounds",
            boundsCheck(0.02, 0.05),
            Reading.of(0.03),
            null,
            Verdict.Pass,
            "conversion: canary 0.03 <= max 0.05, >= min 0.02"),
        Arguments.of(
            "exactly at min",
            boundsCheck(0.02, null),
            Reading.of(0.02),
            null,
            Verdict.Pass,
            ">= min 0.02"),
        Arguments.of(
            "below min",
            boundsCheck(0.02, null),
            Reading.of(0.019),
            null,
            Verdict.Fail,
            "conversion: canary 0.019 < min 0.02"),
        Arguments.of(
            "exactly at max",
            boundsCheck(null, 0.05),
            Reading.of(0.05),
            null,
            Verdict.Pass,
            "<= max 0.05"),
        Arguments.of(
            "above max",
            boundsCheck(null, 0.05),
            Reading.of(0.051),
            null,
            Verdict.Fail,
            "conversion: canary 0.051 > max 0.05"),
        Arguments.of(
            "bounds without a value",
            boundsCheck(0.02, 0.05),
            Reading.missing("no data (no series match): q"),
            null,
            Verdict.Inconclusive,
            "conversion: canary value unavailable: no data (no series match): q"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("customChecks")
  void judgesCustomChecks(
      String name,
      MetricCheck check,
      Reading canary,
      Reading stable,
      Verdict expected,
      String reasonPart) {
    CheckResult result = Judge.check(check, canary, stable);

    assertThat(result.verdict()).as(result.reason()).isEqualTo(expected);
    assertThat(result.reason()).contains(reasonPart);
    assertThat(result.name()).isEqualTo(check.getName());
  }

  @Test
  void aFailedCustomCheckFailsTheRelease() {
    CheckResult failed = Judge.check(ratioCheck(1.5), Reading.of(0.3), Reading.of(0.1));

    AnalysisResult result =
        Judge.judge(DEFAULTS, side(1000, 0.001, 100), side(9000, 0.001, 100), List.of(failed));

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason()).isEqualTo("checkout-errors: canary 0.3 > 1.5 x stable 0.1");
    assertThat(result.checks()).containsExactly(failed);
  }

  @Test
  void aFailedCustomCheckFailsEvenWhenTheCanaryHadTooLittleTraffic() {
    CheckResult failed = Judge.check(boundsCheck(null, 0.0), Reading.of(3), null);

    AnalysisResult result =
        Judge.judge(DEFAULTS, side(10, 0, 100), side(9000, 0, 100), List.of(failed));

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason())
        .startsWith("conversion: canary 3 > max 0")
        .contains("not judged: canary served 10 requests");
  }

  @Test
  void anInconclusiveCustomCheckKeepsAnOtherwisePassingReleaseFromPassing() {
    CheckResult unknown = Judge.check(boundsCheck(0.02, null), Reading.missing("no data"), null);

    AnalysisResult result =
        Judge.judge(DEFAULTS, side(1000, 0, 100), side(9000, 0, 100), List.of(unknown));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason()).isEqualTo("conversion: canary value unavailable: no data");
  }

  @Test
  void passingCustomChecksJoinThePassSentence() {
    CheckResult ok = Judge.check(boundsCheck(0.02, null), Reading.of(0.03), null);

    AnalysisResult result =
        Judge.judge(DEFAULTS, side(1000, 0, 100), side(9000, 0, 100), List.of(ok));

    assertThat(result.verdict()).isEqualTo(Verdict.Pass);
    assertThat(result.reason()).endsWith("; conversion: canary 0.03 >= min 0.02");
  }

  @Test
  void anUnbuildableCheckIsInconclusiveWithItsProblem() {
    CheckResult result = Judge.unbuildable(boundsCheck(1.0, null), "unknown variable {{foo}}");

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason()).isEqualTo("conversion: unknown variable {{foo}}");
  }

  // ---- numbers in sentences and the error rate

  @Test
  void formatsNumbersForPeople() {
    assertThat(Judge.percent(0.042)).isEqualTo("4.2%");
    assertThat(Judge.percent(0.0112345)).isEqualTo("1.12%");
    assertThat(Judge.percent(0)).isEqualTo("0%");
    assertThat(Judge.percent(1)).isEqualTo("100%");
    assertThat(Judge.ms(182.4)).isEqualTo("182 ms");
    assertThat(Judge.ms(1.2345)).isEqualTo("1.23 ms");
    assertThat(Judge.factor(2)).isEqualTo("2.0");
    assertThat(Judge.factor(1.25)).isEqualTo("1.25");
    assertThat(Judge.count(5209.6)).isEqualTo("5210");
  }

  @Test
  void theErrorRateIsErrorsOverRequests() {
    SideReadings side =
        new SideReadings(Reading.of(2000), Reading.of(30), LatencyReading.missing("unused"));

    assertThat(side.errorRate().value()).isEqualTo(0.015);
  }

  @Test
  void moreErrorsThanRequestsIsStillAShare() {
    // the two counters are read apart, so they may disagree by a scrape
    SideReadings side =
        new SideReadings(Reading.of(2000), Reading.of(2003), LatencyReading.missing("unused"));

    assertThat(side.errorRate().value()).isEqualTo(1.0);
  }

  @Test
  void withoutRequestsTheErrorRateIsUnknownNotZero() {
    SideReadings side =
        new SideReadings(Reading.of(0), Reading.of(0), LatencyReading.of(latencies(0, 100)));

    assertThat(side.errorRate().present()).isFalse();
    assertThat(side.errorRate().problem()).isEqualTo("no requests");
  }

  @Test
  void aMissingCountMakesTheErrorRateMissingWithTheSameProblem() {
    SideReadings side =
        new SideReadings(
            Reading.missing("rejected"), Reading.of(3), LatencyReading.of(latencies(100, 100)));

    assertThat(side.errorRate().problem()).isEqualTo("rejected");
  }

  @Test
  void theMeanLatencyIsTheHistogramsSumOverItsCount() {
    LatencyReading latency =
        LatencyReading.of(
            histogram(new double[] {100, 250, INF}, new double[] {300, 400, 400}, 40000));

    assertThat(latency.value(DEFAULTS).value()).isEqualTo(100.0);
  }
}
