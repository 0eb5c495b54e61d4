package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.PrometheusSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QueryPlanTest {

  static CanaryReleaseSpec spec(Destination stable, Destination canary) {
    CanaryReleaseSpec spec = new CanaryReleaseSpec();
    spec.setStable(stable);
    spec.setCanary(canary);
    spec.setAnalysis(new AnalysisSpec(new PrometheusSpec("http://prometheus.istio-system:9090")));
    return spec;
  }

  static CanaryReleaseSpec hostSplit() {
    return spec(
        new Destination("reviews-stable", null, 9080),
        new Destination("reviews-canary", null, null));
  }

  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  private static QueryPlan plan(CanaryReleaseSpec spec) {
    return QueryPlan.of(new AnalysisTarget("bookinfo", "reviews", spec), NOW);
  }

  /** A round at NOW of a step whose observation started at {@code evidenceSince}. */
  private static QueryPlan planInStep(CanaryReleaseSpec spec, Instant evidenceSince) {
    return QueryPlan.of(new AnalysisTarget("bookinfo", "reviews", spec, null, evidenceSince), NOW);
  }

  /** The matcher list of the first series in a query: its value now, before " - " the start. */
  private static String matchersOf(String query) {
    return query.substring(query.indexOf('{') + 1, query.indexOf("} - "));
  }

  private static List<String> builtIn(SideQueries side) {
    return List.of(side.requests(), side.errors(), side.latencySum(), side.latencyBuckets());
  }

  private static final String CANARY =
      "reporter=\"destination\",destination_service_name=\"reviews-canary\","
          + "destination_service_namespace=\"bookinfo\"";

  @Test
  void hostLevelSplitSelectsByServiceAndNamespace() {
    QueryPlan plan = plan(hostSplit());

    String canaryRequests = "istio_requests_total{" + CANARY + "}";
    assertThat(plan.canary().requests())
        .isEqualTo(
            "sum((("
                + canaryRequests
                + " - "
                + canaryRequests
                + " offset 300000ms) >= 0) or ("
                + canaryRequests
                + " * 1))");
    assertThat(plan.stable().errors())
        .startsWith(
            "sum(((istio_requests_total{reporter=\"destination\","
                + "destination_service_name=\"reviews-stable\",destination_service_namespace=\"bookinfo\","
                + "response_code=~\"5..\"} - ");
  }

  @Test
  void everyNumberIsAnExactDifferenceOfCounters() {
    // each series: its value now minus its value at the span's start; a series born inside the
    // span or reset in it (the difference is negative) counts its whole value
    QueryPlan plan = plan(hostSplit());
    String errors = "istio_requests_total{" + CANARY + ",response_code=~\"5..\"}";
    String sum = "istio_request_duration_milliseconds_sum{" + CANARY + "}";
    String buckets = "istio_request_duration_milliseconds_bucket{" + CANARY + "}";

    assertThat(plan.canary().errors())
        .isEqualTo(
            "sum((("
                + errors
                + " - "
                + errors
                + " offset 300000ms) >= 0) or ("
                + errors
                + " * 1))");
    assertThat(plan.canary().latencySum())
        .isEqualTo("sum(((" + sum + " - " + sum + " offset 300000ms) >= 0) or (" + sum + " * 1))");
    assertThat(plan.canary().latencyBuckets())
        .isEqualTo(
            "sum by (le)((("
                + buckets
                + " - "
                + buckets
                + " offset 300000ms) >= 0) or ("
                + buckets
                + " * 1))");
    for (String query : builtIn(plan.canary())) {
      // no increase() or rate(): they extrapolate, and not alike for the sum and the count
      assertThat(query).doesNotContain("increase(").doesNotContain("rate(").doesNotContain("[");
    }
  }

  @Test
  void withoutAStepStartTheBuiltInNumbersCoverTheWindow() {
    QueryPlan plan = plan(hostSplit());

    assertThat(plan.window()).isEqualTo("5m");
    assertThat(plan.spanText()).isEqualTo("in the last 5m");
    assertThat(plan.stable().span()).isEqualTo(Duration.ofMinutes(5));
    assertThat(plan.canary().span()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void underSequentialTheBuiltInNumbersCoverTheStepSoFar() {
    QueryPlan plan = planInStep(hostSplit(), NOW.minus(Duration.ofMinutes(2)));

    assertThat(plan.spanText()).isEqualTo("in this step (2m)");
    assertThat(plan.window()).isEqualTo("5m");
    for (String query : concat(builtIn(plan.canary()), builtIn(plan.stable()))) {
      assertThat(query).contains(" offset 120000ms)").doesNotContain("300000ms");
    }
  }

  @Test
  void theStepIsReadToTheMillisecondAndToldToTheSecond() {
    QueryPlan plan = planInStep(hostSplit(), NOW.minus(Duration.ofMillis(150_400)));

    assertThat(plan.canary().requests()).contains(" offset 150400ms)");
    assertThat(plan.spanText()).isEqualTo("in this step (2m30s)");
  }

  @Test
  void underThresholdTheBuiltInNumbersCoverTheWindowEvenInAStep() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMethod(AnalysisMethod.Threshold);

    QueryPlan plan = planInStep(spec, NOW.minus(Duration.ofMinutes(2)));

    assertThat(plan.spanText()).isEqualTo("in the last 5m");
    assertThat(plan.canary().span()).isEqualTo(Duration.ofMinutes(5));
    assertThat(plan.stable().requests()).contains(" offset 300000ms)");
  }

  @Test
  void theStepSpanIsAtLeastOneSecond() {
    QueryPlan justStarted = planInStep(hostSplit(), NOW.minus(Duration.ofMillis(300)));
    // a step start after the evaluation time (clocks apart) is no negative span either
    QueryPlan skewed = planInStep(hostSplit(), NOW.plus(Duration.ofSeconds(5)));

    for (QueryPlan plan : List.of(justStarted, skewed)) {
      assertThat(plan.canary().span()).isEqualTo(Duration.ofSeconds(1));
      assertThat(plan.canary().requests()).contains(" offset 1000ms)");
      assertThat(plan.spanText()).isEqualTo("in this step (1s)");
    }
  }

  @Test
  void aSpanUnderOneSecondIsRefused() {
    LabelSelector selector = new LabelSelector(Map.of("app", "reviews"));

    assertThatThrownBy(() -> new SideQueries(selector, Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the span must be at least 1s");
  }

  @Test
  void customChecksUseTheWindowEvenInAStep() {
    MetricCheck check =
        check("conversion", "sum(rate(orders_total{app=\"{{canary}}\"}[{{window}}]))");
    check.setMin(0.5);
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(check));

    QueryPlan plan = planInStep(spec, NOW.minus(Duration.ofMinutes(2)));

    assertThat(plan.checks().get(0).canaryQuery())
        .isEqualTo("sum(rate(orders_total{app=\"reviews-canary\"}[5m]))");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void aSubsetAddsTheVersion() {
    QueryPlan plan =
        plan(spec(new Destination("reviews", "v1", null), new Destination("reviews", "v2", null)));

    assertThat(PromQlSelectorReader.read(matchersOf(plan.stable().requests())))
        .containsExactly(
            Map.entry("reporter", "destination"), Map.entry("destination_service_name", "reviews"),
            Map.entry("destination_service_namespace", "bookinfo"),
                Map.entry("destination_version", "v1"));
    assertThat(PromQlSelectorReader.read(matchersOf(plan.canary().requests())))
        .containsEntry("destination_version", "v2");
  }

  @Test
  void aQualifiedHostNamesItsOwnNamespace() {
    QueryPlan plan =
        plan(
            spec(
                new Destination("reviews.shop.svc.cluster.local", null, null),
                new Destination("reviews-canary.shop", null, null)));

    assertThat(PromQlSelectorReader.read(matchersOf(plan.stable().requests())))
        .containsEntry("destination_service_name", "reviews")
        .containsEntry("destination_service_namespace", "shop");
    assertThat(PromQlSelectorReader.read(matchersOf(plan.canary().requests())))
        .containsEntry("destination_service_name", "reviews-canary")
        .containsEntry("destination_service_namespace", "shop");
  }

  @Test
  void aSelectorFromTheSpecReplacesTheDefaultsButKeepsTheReporter() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setCanarySelector(Map.of("destination_workload", "reviews-v2"));

    QueryPlan plan = plan(spec);

    assertThat(PromQlSelectorReader.read(matchersOf(plan.canary().requests())))
        .containsExactly(
            Map.entry("reporter", "destination"), Map.entry("destination_workload", "reviews-v2"));
    assertThat(PromQlSelectorReader.read(matchersOf(plan.stable().requests())))
        .containsEntry("destination_service_name", "reviews-stable");
  }

  @Test
  void aSelectorFromTheSpecMayChooseTheReporter() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis()
        .setStableSelector(Map.of("reporter", "source", "destination_workload", "reviews-v1"));

    assertThat(PromQlSelectorReader.read(matchersOf(plan(spec).stable().requests())))
        .containsEntry("reporter", "source")
        .hasSize(2);
  }

  @Test
  void hostileSelectorValuesStayInsideTheirStrings() {
    Map<String, String> hostile = new LinkedHashMap<>();
    hostile.put("destination_workload", "\"} or vector(1) #");
    hostile.put("destination_version", "v2\\\"}) or on() vector(1) or up{x=\"");
    hostile.put("app", "multi\nline {braces}");
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setCanarySelector(hostile);

    QueryPlan plan = plan(spec);

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("reporter", "destination");
    expected.putAll(hostile);
    for (String query :
        List.of(
            plan.canary().requests(), plan.canary().latencySum(), plan.canary().latencyBuckets())) {
      String matchers = matchersOf(query);
      assertThat(PromQlSelectorReader.read(matchers)).isEqualTo(expected);
      assertThat(query).doesNotContain("\n").contains("\\\"} or vector(1) #");
      // the series now, at the start and the whole of it: the same selector all three times
      assertThat(query.split(Pattern.quote("{" + matchers + "}"), -1)).hasSize(4);
    }
    assertThat(plan.canary().errors())
        .contains("{" + matchersOf(plan.canary().requests()) + ",response_code=~\"5..\"} - ");
  }

  @Test
  void hostileSelectorNamesAreRefusedNamingTheField() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setStableSelector(Map.of("app\"} or vector(1) #", "x"));

    assertThatThrownBy(() -> plan(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "spec.analysis.stableSelector: 'app\\\"} or vector(1) #' is not a Prometheus label name");
  }

  @Test
  void hostileSubsetFromAnUnvalidatedSpecIsEscaped() {
    // the CRD's pattern keeps such a subset out, but the queries must not depend on that
    QueryPlan plan =
        plan(
            spec(
                new Destination("reviews", "v1", null),
                new Destination("reviews", "v2\"} or vector(1) #", null)));

    assertThat(PromQlSelectorReader.read(matchersOf(plan.canary().requests())))
        .containsEntry("destination_version", "v2\"} or vector(1) #");
  }

  @Test
  void theWindowIsWrittenCanonically() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setWindow("90s");

    QueryPlan plan = plan(spec);

    assertThat(plan.window()).isEqualTo("1m30s");
    assertThat(plan.spanText()).isEqualTo("in the last 1m30s");
    assertThat(plan.canary().requests()).contains(" offset 90000ms)");
  }

  @Test
  void aWindowThatIsNotADurationIsRefused() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setWindow("5m]) or vector(1) #");

    assertThatThrownBy(() -> plan(spec))
        .hasMessageStartingWith("spec.analysis.window: not a duration: '5m]) or vector(1) #'");
  }

  @Test
  void aWindowBelowOneSecondIsRefused() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setWindow("500ms");

    assertThatThrownBy(() -> plan(spec))
        .hasMessage("spec.analysis.window must be at least 1s, not 500ms");
  }

  @Test
  void aReleaseWithoutAnalysisIsRefused() {
    CanaryReleaseSpec spec = hostSplit();
    spec.setAnalysis(null);

    assertThatThrownBy(() -> plan(spec)).hasMessage("spec.analysis is missing");
  }

  // ---- custom checks

  private static MetricCheck check(String name, String query) {
    MetricCheck check = new MetricCheck();
    check.setName(name);
    check.setQuery(query);
    return check;
  }

  @Test
  void aRatioCheckRunsOncePerSide() {
    MetricCheck check =
        check(
            "checkout-errors",
            "sum(rate(checkout_errors_total{namespace=\"{{namespace}}\",service=\"{{target}}\"}[{{window}}]))");
    check.setMaxRatio(1.5);
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(check));

    QueryPlan.PlannedCheck planned = plan(spec).checks().get(0);

    assertThat(planned.problem()).isNull();
    assertThat(planned.canaryQuery())
        .isEqualTo(
            "sum(rate(checkout_errors_total{namespace=\"bookinfo\",service=\"reviews-canary\"}[5m]))");
    assertThat(planned.stableQuery())
        .isEqualTo(
            "sum(rate(checkout_errors_total{namespace=\"bookinfo\",service=\"reviews-stable\"}[5m]))");
  }

  @Test
  void aBoundsCheckRunsForTheCanaryOnly() {
    MetricCheck check =
        check(
            "conversion",
            "sum(rate(orders_total{app=\"{{canary}}\",other=\"{{stable}}\"}[{{window}}]))");
    check.setMin(0.5);
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(check));

    QueryPlan.PlannedCheck planned = plan(spec).checks().get(0);

    assertThat(planned.canaryQuery())
        .isEqualTo("sum(rate(orders_total{app=\"reviews-canary\",other=\"reviews-stable\"}[5m]))");
    assertThat(planned.stableQuery()).isNull();
  }

  @Test
  void aRatioCheckThatCannotTellTheSidesApartIsRefused() {
    MetricCheck check = check("same", "sum(rate(orders_total{app=\"{{canary}}\"}[{{window}}]))");
    check.setMaxRatio(2.0);
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(check));

    assertThat(plan(spec).checks().get(0).problem())
        .startsWith("with maxRatio the query must tell the sides apart");
  }

  @Test
  void aBrokenCheckDoesNotStopTheOthers() {
    MetricCheck broken = check("broken", "sum(up{job=\"{{job}}\"})");
    broken.setMax(1.0);
    MetricCheck fine = check("fine", "sum(up)");
    fine.setMax(1.0);
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(broken, fine));

    List<QueryPlan.PlannedCheck> checks = plan(spec).checks();

    assertThat(checks.get(0).problem()).startsWith("unknown variable {{job}}");
    assertThat(checks.get(1).problem()).isNull();
    assertThat(checks.get(1).canaryQuery()).isEqualTo("sum(up)");
  }

  @Test
  void aCheckWithoutThresholdsIsRefused() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setMetrics(List.of(check("none", "sum(up)")));

    assertThat(plan(spec).checks().get(0).problem()).isEqualTo("needs min, max or maxRatio");
  }
}
