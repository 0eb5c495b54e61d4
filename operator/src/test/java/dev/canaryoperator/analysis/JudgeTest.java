package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.Verdict;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JudgeTest {
  /** The API defaults: 100 requests, 2x the stable's error rate with a 1% floor, +10% latency. */
  private static final Thresholds DEFAULTS = new Thresholds(100, 2.0, 0.01, 0.10, "5m", "mean");

  private static SideReadings side(double requests, double errorRate, double latencyMs) {
    return new SideReadings(Reading.of(requests), Reading.of(errorRate), Reading.of(latencyMs));
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
    Thresholds ratio3 = new Thresholds(100, 3.0, 0.001, 0.10, "5m", "mean");
    Thresholds noFloor = new Thresholds(100, 2.0, 0.0, 0.10, "5m", "mean");
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
            side(1000, 0.1001, 100),
            side(9000, 0.05, 100),
            Verdict.Fail,
            "canary 5xx rate 10% > 2.0 x stable 5% (floor 1%)"),
        row(
            "just below 2x",
            DEFAULTS,
            side(1000, 0.0999, 100),
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
            side(99.4, 0.5, 500),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary served 99 requests"),
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
            "NaN canary latency",
            DEFAULTS,
            new SideReadings(Reading.of(1000), Reading.of(0), Reading.of(Double.NaN)),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary mean latency unavailable: the value is NaN"),
        row(
            "empty stable latency",
            DEFAULTS,
            side(1000, 0, 100),
            new SideReadings(
                Reading.of(9000), Reading.of(0), Reading.missing("no data (no series match): q")),
            Verdict.Inconclusive,
            "stable mean latency unavailable: no data (no series match): q"),
        row(
            "failed canary request count",
            DEFAULTS,
            new SideReadings(
                Reading.missing("Prometheus rejected the query"), Reading.of(0), Reading.of(100)),
            side(9000, 0, 100),
            Verdict.Inconclusive,
            "canary request count unavailable: Prometheus rejected the query"),
        row(
            "infinite stable error rate",
            DEFAULTS,
            side(1000, 0, 100),
            new SideReadings(
                Reading.of(9000), Reading.of(Double.POSITIVE_INFINITY), Reading.of(100)),
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
            new SideReadings(Reading.of(1000), Reading.of(0.5), Reading.of(Double.NaN)),
            side(9000, 0.01, 100),
            Verdict.Fail,
            "canary 5xx rate 50% > 2.0 x stable 1% (floor 1%); not judged: canary mean latency unavailable"),
        row(
            "the pass sentence",
            DEFAULTS,
            side(5210, 0.004, 182),
            side(98811, 0.003, 176),
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
        Judge.judge(DEFAULTS, side(5210, 0.004, 182), side(98811, 0.003, 176), List.of());

    assertThat(result.canary()).isEqualTo(new Measurement(5210.0, 0.004, 182.0));
    assertThat(result.stable()).isEqualTo(new Measurement(98811.0, 0.003, 176.0));
  }

  @Test
  void missingNumbersAreNullInTheMeasurement() {
    AnalysisResult result =
        Judge.judge(
            DEFAULTS,
            new SideReadings(Reading.of(40), Reading.of(0.1), Reading.missing("no data")),
            side(9000, 0, 100),
            List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.canary()).isEqualTo(new Measurement(40.0, 0.1, null));
  }

  @Test
  void theLatencyNameComesFromTheThresholds() {
    Thresholds p99 = new Thresholds(100, 2.0, 0.01, 0.10, "1m", "p99");

    AnalysisResult result = Judge.judge(p99, side(1000, 0, 248.5), side(9000, 0, 99.5), List.of());

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason())
        .isEqualTo("canary p99 latency 249 ms > stable 99.5 ms + 10% (109 ms)");
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
    SideReadings side = SideReadings.of(Reading.of(2000), Reading.of(30), Reading.of(100));

    assertThat(side.errorRate().value()).isEqualTo(0.015);
  }

  @Test
  void withoutRequestsTheErrorRateIsUnknownNotZero() {
    SideReadings side = SideReadings.of(Reading.of(0), Reading.of(0), Reading.of(Double.NaN));

    assertThat(side.errorRate().present()).isFalse();
    assertThat(side.errorRate().problem()).isEqualTo("no requests");
  }

  @Test
  void aMissingCountMakesTheErrorRateMissingWithTheSameProblem() {
    SideReadings side =
        SideReadings.of(Reading.missing("rejected"), Reading.of(3), Reading.of(100));

    assertThat(side.errorRate().problem()).isEqualTo("rejected");
  }
}
