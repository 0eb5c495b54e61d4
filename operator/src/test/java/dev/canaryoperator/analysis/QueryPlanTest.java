package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.PrometheusSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private static QueryPlan plan(CanaryReleaseSpec spec) {
    return QueryPlan.of(new AnalysisTarget("bookinfo", "reviews", spec));
  }

  /** The matcher list inside the first {...} of a query. */
  private static String matchersOf(String query) {
    return query.substring(query.indexOf('{') + 1, query.indexOf("}["));
  }

  @Test
  void hostLevelSplitSelectsByServiceAndNamespace() {
    QueryPlan plan = plan(hostSplit());

    assertThat(plan.canary().requests())
        .isEqualTo(
            "sum(increase(istio_requests_total{reporter=\"destination\","
                + "destination_service_name=\"reviews-canary\",destination_service_namespace=\"bookinfo\"}[5m]))");
    assertThat(plan.stable().errors())
        .isEqualTo(
            "sum(increase(istio_requests_total{reporter=\"destination\","
                + "destination_service_name=\"reviews-stable\",destination_service_namespace=\"bookinfo\","
                + "response_code=~\"5..\"}[5m]))");
  }

  @Test
  void meanLatencyIsSumOverCount() {
    assertThat(plan(hostSplit()).canary().latency())
        .isEqualTo(
            "sum(rate(istio_request_duration_milliseconds_sum{reporter=\"destination\",destination_service_name=\"reviews-canary\","
                + "destination_service_namespace=\"bookinfo\"}[5m]))"
                + " / sum(rate(istio_request_duration_milliseconds_count{reporter=\"destination\","
                + "destination_service_name=\"reviews-canary\",destination_service_namespace=\"bookinfo\"}[5m]))");
  }

  @Test
  void quantileLatencyInterpolatesTheBuckets() {
    CanaryReleaseSpec spec = hostSplit();
    spec.getAnalysis().setLatencyMeasure(LatencyMeasure.Quantile);
    spec.getAnalysis().setLatencyQuantile(0.95);

    QueryPlan plan = plan(spec);

    assertThat(plan.stable().latency())
        .isEqualTo(
            "histogram_quantile(0.95, sum by (le) (rate("
                + "istio_request_duration_milliseconds_bucket{reporter=\"destination\",destination_service_name=\"reviews-stable\","
                + "destination_service_namespace=\"bookinfo\"}[5m])))");
    assertThat(plan.stable().latencyName()).isEqualTo("p95");
  }

  @Test
  void latencyNamesForSentences() {
    assertThat(
            new SideQueries(new LabelSelector(Map.of()), "5m", LatencyMeasure.Quantile, 0.999)
                .latencyName())
        .isEqualTo("p99.9");
    assertThat(
            new SideQueries(new LabelSelector(Map.of()), "5m", LatencyMeasure.Mean, 0.99)
                .latencyName())
        .isEqualTo("mean");
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
    for (String query : List.of(plan.canary().requests(), plan.canary().latency())) {
      assertThat(PromQlSelectorReader.read(matchersOf(query))).isEqualTo(expected);
      assertThat(query).doesNotContain("\n").contains("\\\"} or vector(1) #");
    }
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

    assertThat(plan(spec).canary().requests()).endsWith("}[1m30s]))");
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
