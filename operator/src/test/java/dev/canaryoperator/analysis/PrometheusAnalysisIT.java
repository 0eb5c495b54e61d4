package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.IstioMetricsExporter;
import dev.canaryoperator.testing.IstioMetricsExporter.Traffic;
import dev.canaryoperator.testsupport.PrometheusProcess;
import dev.canaryoperator.testsupport.RepositoryRoot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PrometheusAnalysis against a real Prometheus scraping Istio's metrics every second. Every
 * scenario has its own destinations, all served from the start, so the tests share one server and
 * one wait for a full window of scrapes, and can run in any order.
 */
class PrometheusAnalysisIT {
  private static final String NAMESPACE = "bookinfo";
  private static final String WINDOW = "10s";

  private static IstioMetricsExporter exporter;
  private static PrometheusProcess prometheus;
  private final PrometheusAnalysis analysis =
      new PrometheusAnalysis(CredentialsResolver.NONE, Clock.systemUTC());

  @BeforeAll
  static void startPrometheus() throws Exception {
    exporter = IstioMetricsExporter.start();
    // stable at 1000 rps, canary at 500 rps: the canary takes a third of the traffic
    hostSplit("errors-2-1x", 0.05, 0.105, 100, 100);
    hostSplit("errors-1-9x", 0.05, 0.095, 100, 100);
    hostSplit("latency-11", 0.005, 0.005, 100, 111);
    hostSplit("latency-9", 0.005, 0.005, 100, 109);
    exporter.serve(new Traffic(NAMESPACE, "few-stable", "v1", 1000, 0, 100));
    exporter.serve(new Traffic(NAMESPACE, "few-canary", "v2", 5, 0, 100));
    // subset-level split: one Service, two versions
    exporter.serve(new Traffic(NAMESPACE, "ratings", "v1", 1000, 0.01, 100));
    exporter.serve(new Traffic(NAMESPACE, "ratings", "v2", 500, 0.20, 100));
    prometheus = prometheusScraping(exporter);

    PrometheusClient client =
        new PrometheusClient(prometheus.url(), Duration.ofSeconds(5), PrometheusCredentials.NONE);
    // a full window of scrapes (1s apart) before any judgement
    await("a full " + WINDOW + " window of scrapes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                client.queryValue(
                        "count_over_time(up{job=\"istio\"}[" + WINDOW + "])", Instant.now())
                    >= 10);
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  /** Scrapes the exporter every second as job "istio", as the queries expect. */
  private static PrometheusProcess prometheusScraping(IstioMetricsExporter exporter)
      throws Exception {
    return PrometheusProcess.scraping(RepositoryRoot.locate(), "istio", List.of(exporter.target()));
  }

  private static void hostSplit(
      String scenario, double stableErrors, double canaryErrors, double stableMs, double canaryMs) {
    exporter.serve(
        new Traffic(NAMESPACE, scenario + "-stable", "v1", 1000, stableErrors, stableMs));
    exporter.serve(new Traffic(NAMESPACE, scenario + "-canary", "v2", 500, canaryErrors, canaryMs));
  }

  private static CanaryReleaseSpec spec(String scenario) {
    return spec(
        new Destination(scenario + "-stable", null, null),
        new Destination(scenario + "-canary", null, null));
  }

  private static CanaryReleaseSpec spec(Destination stable, Destination canary) {
    CanaryReleaseSpec spec = QueryPlanTest.spec(stable, canary);
    spec.getAnalysis().getPrometheus().setUrl(prometheus.url().toString());
    spec.getAnalysis().getPrometheus().setTimeout("5s");
    spec.getAnalysis().setWindow(WINDOW);
    spec.getAnalysis().setMinRequests(100);
    return spec;
  }

  private AnalysisResult analyze(CanaryReleaseSpec spec) {
    AnalysisResult result = analysis.analyze(new AnalysisTarget(NAMESPACE, "reviews", spec));
    System.out.println(result.verdict() + ": " + result.reason());
    return result;
  }

  @Test
  void aCanaryAt2Point1TimesTheStablesErrorRateFails() {
    AnalysisResult result = analyze(spec("errors-2-1x"));

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason()).startsWith("canary 5xx rate 10.5% > 2.0 x stable 5% (floor 1%)");
    assertThat(result.canary().errorRate()).isCloseTo(0.105, within(0.001));
    assertThat(result.stable().errorRate()).isCloseTo(0.05, within(0.001));
    // 10 s at 500 and 1000 rps; increase() extrapolates to the window's edges
    assertThat(result.canary().requests()).isBetween(4000.0, 6000.0);
    assertThat(result.stable().requests()).isBetween(8000.0, 12000.0);
    assertThat(result.canary().latencyMs()).isCloseTo(100.0, within(0.001));
  }

  @Test
  void aCanaryAt1Point9TimesTheStablesErrorRatePasses() {
    AnalysisResult result = analyze(spec("errors-1-9x"));

    assertThat(result.verdict()).isEqualTo(Verdict.Pass);
    assertThat(result.reason())
        .isEqualTo(
            "5xx 9.5% vs 5% (limit 10%); canary mean latency 100 ms within 10% of stable 100 ms");
  }

  @Test
  void aCanary11PercentSlowerOnAverageFails() {
    AnalysisResult result = analyze(spec("latency-11"));

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason())
        .isEqualTo("canary mean latency 111 ms > stable 100 ms + 10% (110 ms)");
    // the destination proxy's numbers, not the source's (50 ms more in the exporter)
    assertThat(result.stable().latencyMs()).isCloseTo(100.0, within(0.001));
  }

  @Test
  void aCanary9PercentSlowerOnAveragePasses() {
    AnalysisResult result = analyze(spec("latency-9"));

    assertThat(result.verdict()).isEqualTo(Verdict.Pass);
    assertThat(result.canary().latencyMs()).isCloseTo(109.0, within(0.001));
  }

  @Test
  void theP99SeesTheShiftOnlyBecauseItCrossesABucketBoundary() {
    CanaryReleaseSpec spec = spec("latency-11");
    spec.getAnalysis().setLatencyMeasure(LatencyMeasure.Quantile);

    AnalysisResult result = analyze(spec);

    // 100 ms is interpolated inside (50, 100] and 111 ms inside (100, 250]: 99.5 and 248.5, give
    // or take what rate()'s extrapolation does to the bucket ratios (248.5 was seen as 248.49)
    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.canary().latencyMs()).isCloseTo(248.5, within(0.5));
    assertThat(result.stable().latencyMs()).isCloseTo(99.5, within(0.5));
    assertThat(result.reason())
        .matches("canary p99 latency 24[89] ms > stable 99(\\.[0-9])? ms \\+ 10% \\(109 ms\\)");
  }

  @Test
  void fewerThanMinRequestsIsInconclusive() {
    AnalysisResult result = analyze(spec("few"));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .matches("canary served \\d+ requests in the last 10s, fewer than the 100 needed to judge");
    assertThat(result.canary().requests()).isBetween(30.0, 80.0);
    assertThat(result.stable().requests()).isGreaterThan(8000.0);
  }

  @Test
  void aSubsetSplitComparesTheVersionsOfOneService() {
    AnalysisResult result =
        analyze(
            spec(new Destination("ratings", "v1", null), new Destination("ratings", "v2", null)));

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    assertThat(result.reason()).startsWith("canary 5xx rate 20% > 2.0 x stable 1% (floor 1%)");
    assertThat(result.canary().errorRate()).isCloseTo(0.20, within(0.001));
  }

  @Test
  void customChecksJoinTheVerdictAndADefiniteFailWins() {
    CanaryReleaseSpec spec = spec("errors-1-9x");
    MetricCheck share = new MetricCheck();
    share.setName("request-share");
    share.setQuery(
        "sum(rate(istio_requests_total{reporter=\"destination\",destination_service_namespace=\"{{namespace}}\","
            + "destination_service_name=\"{{target}}\"}[{{window}}]))");
    share.setMaxRatio(0.4);
    MetricCheck rps = new MetricCheck();
    rps.setName("canary-rps");
    rps.setQuery(
        "sum(rate(istio_requests_total{reporter=\"destination\",destination_service_name=\"{{canary}}\"}[{{window}}]))");
    rps.setMin(400.0);
    rps.setMax(600.0);
    MetricCheck absent = new MetricCheck();
    absent.setName("checkout-errors");
    absent.setQuery("sum(checkout_errors_total{app=\"{{canary}}\"})");
    absent.setMax(1.0);
    spec.getAnalysis().setMetrics(List.of(share, rps, absent));

    AnalysisResult result = analyze(spec);

    assertThat(result.verdict()).isEqualTo(Verdict.Fail);
    // rates are measured on Prometheus' scrape timestamps, so they come out near, not at, 500 and
    // 1000
    assertThat(result.reason())
        .matches("request-share: canary [\\d.]+ > 0\\.4 x stable [\\d.]+; .*")
        .contains(
            "not judged: checkout-errors: canary value unavailable: no data (no series match)");
    assertThat(result.checks())
        .extracting(CheckResult::name, CheckResult::verdict)
        .containsExactly(
            tuple("request-share", Verdict.Fail),
            tuple("canary-rps", Verdict.Pass),
            tuple("checkout-errors", Verdict.Inconclusive));
    assertThat(result.checks().get(0).canaryValue()).isCloseTo(500.0, within(5.0));
    assertThat(result.checks().get(0).stableValue()).isCloseTo(1000.0, within(10.0));
  }

  @Test
  void aHostileSelectorValueIsMatchedLiterallyByPrometheus() {
    CanaryReleaseSpec spec = spec("errors-1-9x");
    spec.getAnalysis()
        .setCanarySelector(
            Map.of(
                "destination_service_name",
                "\"} or vector(1) #",
                "destination_version",
                "v2\\\"}) or on() vector(1) or up{x=\""));

    AnalysisResult result = analyze(spec);

    // parsed without error and matching no series: not 1 from an injected vector(1)
    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.canary().requests()).isEqualTo(0.0);
    assertThat(result.reason())
        .isEqualTo("canary served 0 requests in the last 10s, fewer than the 100 needed to judge");
  }

  @Test
  void aStoppedPrometheusIsInconclusiveNamingUrlAndError() throws Exception {
    String url;
    try (PrometheusProcess stopped = prometheusScraping(exporter)) {
      url = stopped.url().toString();
    }
    CanaryReleaseSpec spec = spec("errors-2-1x");
    spec.getAnalysis().getPrometheus().setUrl(url);

    AnalysisResult result = analyze(spec);

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason()).startsWith("Prometheus at " + url + " is unreachable: ");
    assertThat(result.canary()).isEqualTo(Measurement.UNKNOWN);
  }
}
