package dev.canaryoperator.metrics;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.analysis.PrometheusAnalysis;
import dev.canaryoperator.analysis.PrometheusClient;
import dev.canaryoperator.analysis.PrometheusCredentials;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.health.OperatorEndpoints;
import dev.canaryoperator.testing.IstioMetricsExporter;
import dev.canaryoperator.testing.IstioMetricsExporter.Request;
import dev.canaryoperator.testing.IstioMetricsExporter.Traffic;
import dev.canaryoperator.testing.LiveReleases;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testsupport.PrometheusProcess;
import dev.canaryoperator.testsupport.RepositoryRoot;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The operator's /metrics scraped by a real Prometheus while a release progresses and rolls back
 * (its analyses by a real Prometheus too): every metric is there with the value the release's story
 * gives it, every panel of the Grafana dashboard answers, and a deleted release's series are gone.
 */
@RealKubernetes
class OperatorMetricsIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void aReleaseThatProgressesAndRollsBackShowsInEveryMetricAndDashboardPanel(
      KubernetesClient testClient) throws Exception {
    String ns = testClient.getNamespace();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    try (IstioMetricsExporter exporter = IstioMetricsExporter.start()) {
      exporter.serve(new Traffic(ns, "reviews-stable", "v1", 400, 0.0, 50));
      exporter.serve(new Traffic(ns, "reviews-canary", "v2", 200, 0.0, 50));
      KubernetesClient own =
          new KubernetesClientBuilder()
              .withConfig(CanaryOperator.clientConfig(testClient.getConfiguration()))
              .build();
      int operatorPort = freePort();
      try (PrometheusProcess prometheus =
              PrometheusProcess.scraping(
                  RepositoryRoot.locate(),
                  "istio",
                  List.of(exporter.target(), "127.0.0.1:" + operatorPort));
          PrometheusAnalysis analysis =
              new PrometheusAnalysis(own, Clock.systemUTC(), metrics::queryFailed)) {
        CanaryOperator operator =
            new CanaryOperator(own, analysis, Clock.systemUTC(), registry, Set.of(ns), null);
        try (OperatorEndpoints endpoints =
            OperatorEndpoints.start(operatorPort, registry, operator.probes(Clock.systemUTC()))) {
          operator.start();
          PrometheusClient query =
              new PrometheusClient(
                  prometheus.url(), Duration.ofSeconds(5), PrometheusCredentials.NONE);
          run(testClient, exporter, prometheus, query, endpoints);
        } finally {
          operator.close();
        }
      } finally {
        own.close();
      }
    }
  }

  private void run(
      KubernetesClient client,
      IstioMetricsExporter exporter,
      PrometheusProcess prometheus,
      PrometheusClient query,
      OperatorEndpoints endpoints)
      throws Exception {
    String ns = client.getNamespace();
    createVirtualService(client, "reviews");
    createVirtualService(client, "lost");
    CanaryRelease reviews =
        release("reviews").virtualService("reviews").steps(10, 50).stepDuration("2s").build();
    // the last step lasts long enough for the canary to fail in it
    reviews.getSpec().getSteps().get(1).setDuration("10m");
    reviews.getSpec().getAnalysis().setInterval("1s");
    reviews.getSpec().getAnalysis().setMinRequests(20);
    reviews.getSpec().getAnalysis().setPrometheus(new PrometheusSpec(prometheus.url().toString()));
    client.resource(reviews).create();
    // a release whose Prometheus is nowhere: its queries fail as UNREACHABLE
    CanaryRelease lost = release("lost").virtualService("lost").build();
    lost.getSpec().getAnalysis().setInterval("1s");
    lost.getSpec()
        .getAnalysis()
        .setPrometheus(new PrometheusSpec("http://127.0.0.1:" + freePort()));
    client.resource(lost).create();

    LiveReleases.awaitStatus(
        client, "reviews", r -> Integer.valueOf(2).equals(r.getStatus().getCurrentStep()));
    // the canary starts failing: from now on, half of 100 more requests a second answer 503
    var failing = exporter.requestsTo(ns, "reviews-canary", "v3");
    var sender = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    sender.scheduleAtFixedRate(
        () ->
            failing.send(
                IntStream.range(0, 10)
                    .mapToObj(i -> new Request(i % 2 == 0 ? 503 : 200, 50))
                    .toList()),
        0,
        100,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    CanaryRelease rolledBack;
    try {
      rolledBack =
          LiveReleases.awaitStatus(
              client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
    } finally {
      sender.shutdownNow();
    }
    double canaryErrors = rolledBack.getStatus().getLastAnalysis().getCanary().getErrorRate();

    String release = "namespace=\"" + ns + "\",name=\"reviews\"";
    // Prometheus has scraped the operator since the rollback
    await("the rollback scraped")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> value(query, "canary_release_phase{" + release + ",phase=\"RolledBack\"}") == 1);

    assertThat(value(query, "canary_release_canary_weight{" + release + "}")).isZero();
    assertThat(value(query, "canary_release_phase{" + release + ",phase=\"Progressing\"}"))
        .isZero();
    assertThat(value(query, "canary_release_analyses_total{" + release + ",verdict=\"Pass\"}"))
        .isGreaterThanOrEqualTo(1);
    assertThat(value(query, "canary_release_analyses_total{" + release + ",verdict=\"Fail\"}"))
        .isEqualTo(1);
    assertThat(value(query, "canary_release_consecutive_failures{" + release + "}")).isEqualTo(1);
    assertThat(value(query, "canary_release_error_rate{" + release + ",side=\"canary\"}"))
        .isCloseTo(canaryErrors, within(1e-9))
        .isGreaterThan(0.01);
    assertThat(value(query, "canary_release_error_rate{" + release + ",side=\"stable\"}")).isZero();
    // twice the stable's 0%, but never under the 1% floor
    assertThat(value(query, "canary_release_error_rate_limit{" + release + "}")).isEqualTo(0.01);
    double stableLatency =
        value(query, "canary_release_latency_seconds{" + release + ",side=\"stable\"}");
    assertThat(stableLatency).isBetween(0.025, 0.1);
    assertThat(value(query, "canary_release_latency_limit_seconds{" + release + "}"))
        .isCloseTo(stableLatency * 1.1, within(1e-9));
    assertThat(value(query, "canary_release_latency_seconds{" + release + ",side=\"canary\"}"))
        .isBetween(0.025, 0.1);

    assertThat(value(query, "sum(canary_virtualservice_writes_total{reason=\"step\"})"))
        .as("the start and the step to 50%% at least")
        .isGreaterThanOrEqualTo(2);
    assertThat(value(query, "sum(canary_virtualservice_writes_total{reason=\"rollback\"})"))
        .isEqualTo(1);
    assertThat(value(query, "sum(canary_rollbacks_total{reason=\"RolledBack\"})")).isEqualTo(1);
    assertThat(value(query, "sum(canary_rollback_delay_seconds_count)")).isEqualTo(1);
    assertThat(value(query, "sum(canary_analysis_duration_seconds_count)"))
        .isGreaterThanOrEqualTo(3);
    assertThat(value(query, "sum(canary_prometheus_query_failures_total{kind=\"UNREACHABLE\"})"))
        .isPositive();
    assertThat(value(query, "sum(operator_sdk_reconciliations_started_total)")).isPositive();
    assertThat(value(query, "sum(jvm_memory_used_bytes{area=\"heap\"})")).isPositive();

    assertEveryDashboardQueryAnswers(query);

    // deleted: its series leave /metrics at once, and Prometheus marks them stale
    client.resource(rolledBack).delete();
    await("the release's series gone from /metrics")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !scrape(endpoints).contains("name=\"reviews\""));
    await("and from Prometheus")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                query
                    .query("canary_release_canary_weight{" + release + "}", Instant.now())
                    .isEmpty());
    assertThat(scrape(endpoints)).contains("name=\"lost\"");
  }

  /** Every panel's and annotation's PromQL, with the dashboard's variables at "All". */
  private static void assertEveryDashboardQueryAnswers(PrometheusClient query) throws Exception {
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(
                Files.readString(
                    RepositoryRoot.locate().resolve("dashboards/canary-operator.json")));
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        expressions.add(target.path("expr").asText());
      }
    }
    for (JsonNode annotation : dashboard.path("annotations").path("list")) {
      expressions.add(annotation.path("expr").asText());
    }
    assertThat(expressions).hasSizeGreaterThan(15);
    List<String> empty = Collections.synchronizedList(new ArrayList<>());
    for (String expr : expressions) {
      String promql =
          expr.replace("$namespace", ".*")
              .replace("$release", ".*")
              .replace("$__rate_interval", "1m");
      if (query.query(promql, Instant.now()).isEmpty()) {
        empty.add(promql);
      }
    }
    assertThat(empty).as("dashboard queries that return nothing").isEmpty();
  }

  private static double value(PrometheusClient query, String promql) throws Exception {
    return query.queryValue(promql, Instant.now());
  }

  private static String scrape(OperatorEndpoints endpoints) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void createVirtualService(KubernetesClient client, String name) {
    VirtualService vs = VirtualServices.reviews();
    vs.getMetadata().setName(name);
    client.adapt(IstioClient.class).v1().virtualServices().resource(vs).create();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
