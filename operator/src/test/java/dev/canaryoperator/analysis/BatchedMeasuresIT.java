package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.IstioMetricsExporter;
import dev.canaryoperator.testing.IstioMetricsExporter.Traffic;
import dev.canaryoperator.testsupport.PrometheusProcess;
import dev.canaryoperator.testsupport.RepositoryRoot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many releases measured together (grouped queries) and each on its own, on the same Prometheus
 * data at the same evaluation time: every release gets the same verdict, reason and numbers, and
 * the grouped round asks Prometheus far fewer queries.
 */
class BatchedMeasuresIT {
  private static final int RELEASES = 24;
  private static final List<String> NAMESPACES = List.of("shop", "payments");

  private static IstioMetricsExporter exporter;
  private static PrometheusProcess prometheus;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void startPrometheus() throws Exception {
    exporter = IstioMetricsExporter.start();
    for (int i = 0; i < RELEASES; i++) {
      String namespace = NAMESPACES.get(i % 2);
      // every third canary fails (errors 4x the stable's), every fourth is slower by 30%
      double canaryErrors = i % 3 == 0 ? 0.08 : 0.02;
      double canaryMs = i % 4 == 0 ? 130 : 100;
      exporter.serve(new Traffic(namespace, "app" + i + "-stable", "v1", 400, 0.02, 100));
      exporter.serve(
          new Traffic(namespace, "app" + i + "-canary", "v2", 200, canaryErrors, canaryMs));
    }
    // a split by subset: one Service, two versions, measured by destination_version
    exporter.serve(new Traffic("shop", "ratings", "v1", 400, 0.01, 100));
    exporter.serve(new Traffic("shop", "ratings", "v2", 200, 0.10, 100));
    prometheus =
        PrometheusProcess.scraping(RepositoryRoot.locate(), "istio", List.of(exporter.target()));
    PrometheusClient client =
        new PrometheusClient(prometheus.url(), Duration.ofSeconds(5), PrometheusCredentials.NONE);
    await("20 s of scrapes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                client.queryValue("count_over_time(up{job=\"istio\"}[30s])", Instant.now()) >= 20);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  @Test
  void groupedQueriesGiveEveryReleaseTheVerdictAndNumbersOfItsOwnQueries() throws Exception {
    // one evaluation time for both runs, a little in the past so both see the same samples
    Instant time = Instant.now().minusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    Clock clock = Clock.fixed(time, ZoneOffset.UTC);
    List<AnalysisTarget> targets = targets(time);

    double before = queriesSoFar();
    List<AnalysisResult> batched;
    try (PrometheusAnalysis analysis = new PrometheusAnalysis(CredentialsResolver.NONE, clock)) {
      batched = analyzeAll(analysis, targets);
    }
    double grouped = queriesSoFar() - before;

    before = queriesSoFar();
    List<AnalysisResult> single;
    try (PrometheusAnalysis analysis =
        new PrometheusAnalysis(CredentialsResolver.NONE, clock, false)) {
      single = analyzeAll(analysis, targets);
    }
    double own = queriesSoFar() - before;

    for (int i = 0; i < targets.size(); i++) {
      AnalysisResult b = batched.get(i);
      AnalysisResult s = single.get(i);
      String which = targets.get(i).name();
      assertThat(b.verdict()).as(which).isEqualTo(s.verdict());
      assertThat(b.reason()).as(which).isEqualTo(s.reason());
      assertSameNumbers(which, b.canary(), s.canary());
      assertSameNumbers(which, b.stable(), s.stable());
      assertThat(b.evidence()).as(which).hasSameSizeAs(s.evidence());
    }
    // the data tell the releases apart: a comparison of identical verdicts would prove nothing
    assertThat(batched).extracting(AnalysisResult::verdict).contains(Verdict.Fail, Verdict.Pass);
    assertThat(batched.get(0).verdict()).isEqualTo(Verdict.Fail);
    assertThat(batched.get(1).verdict()).isEqualTo(Verdict.Pass);
    assertThat(batched.get(targets.size() - 1).verdict())
        .as("the subset split (v2 with 10%% errors)")
        .isEqualTo(Verdict.Fail);
    // 8 queries a release on its own; grouped, 4 per (method, span) group
    assertThat(own).isEqualTo(8.0 * targets.size());
    assertThat(grouped).isLessThanOrEqualTo(8);
  }

  private static void assertSameNumbers(String which, Measurement a, Measurement b) {
    for (Function<Measurement, Double> number :
        List.<Function<Measurement, Double>>of(
            Measurement::requests, Measurement::errorRate, Measurement::latencyMs)) {
      Double x = number.apply(a);
      Double y = number.apply(b);
      if (x == null || y == null) {
        assertThat(x).as(which).isEqualTo(y);
      } else {
        // sums may be added up in another order: equal to the last few bits
        assertThat(x).as(which).isCloseTo(y, org.assertj.core.data.Percentage.withPercentage(1e-9));
      }
    }
  }

  private static List<AnalysisTarget> targets(Instant time) {
    List<AnalysisTarget> targets = new ArrayList<>();
    for (int i = 0; i < RELEASES; i++) {
      CanaryReleaseSpec spec =
          spec(
              new Destination("app" + i + "-stable", null, null),
              new Destination("app" + i + "-canary", null, null));
      // a few judged on the window, the rest on the step so far
      if (i % 6 == 5) {
        spec.getAnalysis().setMethod(AnalysisMethod.Threshold);
      }
      targets.add(
          new AnalysisTarget(NAMESPACES.get(i % 2), "app" + i, spec, null, time.minusSeconds(15)));
    }
    targets.add(
        new AnalysisTarget(
            "shop",
            "ratings",
            spec(new Destination("ratings", "v1", null), new Destination("ratings", "v2", null)),
            null,
            time.minusSeconds(15)));
    return targets;
  }

  private static CanaryReleaseSpec spec(Destination stable, Destination canary) {
    CanaryReleaseSpec spec = QueryPlanTest.spec(stable, canary);
    spec.getAnalysis().getPrometheus().setUrl(prometheus.url().toString());
    spec.getAnalysis().getPrometheus().setTimeout("10s");
    spec.getAnalysis().setWindow("10s");
    spec.getAnalysis().setMinRequests(100);
    return spec;
  }

  /** All at once, as releases falling due together would be. */
  private static List<AnalysisResult> analyzeAll(
      PrometheusAnalysis analysis, List<AnalysisTarget> targets) {
    List<CompletableFuture<AnalysisResult>> results =
        targets.stream().map(t -> analysis.analyzeAsync(t, Runnable::run)).toList();
    return results.stream().map(CompletableFuture::join).toList();
  }

  /** Prometheus's own count of the instant queries it answered. */
  private static double queriesSoFar() throws Exception {
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(prometheus.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(
            l ->
                l.startsWith("prometheus_http_requests_total")
                    && l.contains("handler=\"/api/v1/query\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
