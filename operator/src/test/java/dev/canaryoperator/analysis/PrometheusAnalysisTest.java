package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Verdict;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What analyze() does when it cannot get as far as Prometheus' numbers; the numbers are
 * PrometheusAnalysisIT's.
 */
class PrometheusAnalysisTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
  private final List<String> resolved = new ArrayList<>();

  private PrometheusAnalysis analysis(CredentialsResolver resolver) {
    return new PrometheusAnalysis(
        (namespace, secret) -> {
          resolved.add(namespace + "/" + secret);
          return resolver.resolve(namespace, secret);
        },
        CLOCK);
  }

  private static AnalysisTarget target(CanaryReleaseSpec spec) {
    return new AnalysisTarget("bookinfo", "reviews", spec);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void anUnreachablePrometheusIsInconclusiveNamingUrlAndError() throws IOException {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    String url = "http://127.0.0.1:" + closedPort();
    spec.getAnalysis().getPrometheus().setUrl(url);

    AnalysisResult result = analysis(CredentialsResolver.NONE).analyze(target(spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason()).startsWith("Prometheus at " + url + " is unreachable: ");
    assertThat(result.canary()).isEqualTo(Measurement.UNKNOWN);
    assertThat(resolved).as("no Secret is read when none is named").isEmpty();
  }

  @Test
  void aMissingSecretIsInconclusiveNamingIt() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.getAnalysis().getPrometheus().setSecretName("prometheus-auth");

    AnalysisResult result =
        analysis(
                (namespace, secret) -> {
                  throw new CredentialsException(
                      KubernetesSecretCredentials.describe(namespace, secret) + " does not exist");
                })
            .analyze(target(spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .isEqualTo(
            "no Prometheus credentials: Secret bookinfo/prometheus-auth (spec.analysis.prometheus.secretName) does not exist");
    assertThat(resolved).containsExactly("bookinfo/prometheus-auth");
  }

  @Test
  void aSelectorThatCannotBeQueriedIsInconclusiveNamingTheField() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.getAnalysis().setCanarySelector(Map.of("app.kubernetes.io/version", "v2"));

    AnalysisResult result = analysis(CredentialsResolver.NONE).analyze(target(spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .isEqualTo(
            "cannot build the Prometheus queries: spec.analysis.canarySelector:"
                + " 'app.kubernetes.io/version' is not a Prometheus label name (letters, digits and _, not starting with a digit)");
  }

  @Test
  void aUrlThatIsNotHttpIsInconclusive() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.getAnalysis().getPrometheus().setUrl("ftp://prometheus:21");

    AnalysisResult result = analysis(CredentialsResolver.NONE).analyze(target(spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .isEqualTo(
            "spec.analysis.prometheus (url 'ftp://prometheus:21', timeout '10s'): not an http(s) URL with a host");
  }

  @Test
  void aReleaseWithoutAnalysisIsInconclusive() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.setAnalysis(null);

    AnalysisResult result = analysis(CredentialsResolver.NONE).analyze(target(spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .isEqualTo("cannot build the Prometheus queries: spec.analysis is missing");
  }

  @Test
  void oneTimeoutCoversTheWholeRoundIncludingTheWaitForAPlace() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
    com.sun.net.httpserver.HttpServer hanging =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hanging.createContext(
        "/",
        exchange -> {
          asked.incrementAndGet();
          try {
            end.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    var threads = java.util.concurrent.Executors.newCachedThreadPool();
    hanging.setExecutor(threads);
    hanging.start();
    try (PrometheusAnalysis analysis =
        new PrometheusAnalysis(CredentialsResolver.NONE, CLOCK, false)) {
      String url = "http://127.0.0.1:" + hanging.getAddress().getPort();
      List<java.util.concurrent.CompletableFuture<AnalysisResult>> rounds = new ArrayList<>();
      // three rounds of eight queries each: the second and third wait for places
      for (int i = 0; i < 3; i++) {
        CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
        spec.getAnalysis().getPrometheus().setUrl(url);
        spec.getAnalysis().getPrometheus().setTimeout("1s");
        rounds.add(analysis.analyzeAsync(target(spec), Runnable::run));
      }

      List<AnalysisResult> results = rounds.stream().map(r -> r.join()).toList();

      assertThat(results).extracting(AnalysisResult::verdict).containsOnly(Verdict.Inconclusive);
      // a round whose queries waited for a place is not given a new second per query
      assertThat(results.get(2).reason())
          .isEqualTo("Prometheus at " + url + " did not answer every query of the round within 1s");
    } finally {
      end.countDown();
      hanging.stop(0);
      threads.shutdownNow();
    }
  }
}
