package dev.canaryoperator.reconciler;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.analysis.CredentialsResolver;
import dev.canaryoperator.analysis.PrometheusAnalysis;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.LiveReleases;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.VirtualServices;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One operator, two Prometheus endpoints: six releases measured by one that accepts queries and
 * never answers (each query would hold its thread for the 2-minute timeout), one release measured
 * by one that shows its canary failing. The failing canary is rolled back on its first analysis
 * while every query to the hanging Prometheus is still unanswered: the hanging endpoint holds only
 * its own threads. With one pool shared by all endpoints, that analysis queued behind the hanging
 * ones.
 */
@RealKubernetes
class HangingPrometheusIT {
  private static final int HANGING_RELEASES = 6;

  private HttpServer hanging;
  private HttpServer failing;
  private ExecutorService serverThreads;
  private final CountDownLatch endOfTest = new CountDownLatch(1);
  private final AtomicInteger hangingQueries = new AtomicInteger();
  private final AtomicInteger hangingAnswers = new AtomicInteger();

  @BeforeEach
  void startPrometheusStubs() throws IOException {
    serverThreads = Executors.newCachedThreadPool();
    hanging = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hanging.createContext("/", this::hang);
    hanging.setExecutor(serverThreads);
    hanging.start();
    failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    failing.createContext("/", HangingPrometheusIT::answerWithAFailingCanary);
    failing.setExecutor(serverThreads);
    failing.start();
  }

  @AfterEach
  void stopPrometheusStubs() {
    endOfTest.countDown();
    hanging.stop(0);
    failing.stop(0);
    serverThreads.shutdownNow();
  }

  private void hang(HttpExchange exchange) throws IOException {
    hangingQueries.incrementAndGet();
    try {
      endOfTest.await(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    hangingAnswers.incrementAndGet();
    exchange.close();
  }

  /**
   * Istio's numbers for a canary with 5% errors against a stable with 0.1%, 40 ms each, as answers
   * to the operator's grouped exact-difference queries: one row per destination.
   */
  private static void answerWithAFailingCanary(HttpExchange exchange) throws IOException {
    String query =
        URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
    Matcher namespace =
        Pattern.compile("destination_service_namespace=~\"([^\"|]+)").matcher(query);
    String ns = namespace.find() ? namespace.group(1) : "";
    List<String> rows = new ArrayList<>();
    for (boolean canary : new boolean[] {false, true}) {
      int requests = canary ? 2_000 : 38_000;
      int errors = canary ? 100 : 38;
      String side =
          "\"destination_service_namespace\":\""
              + ns
              + "\",\"destination_service_name\":\""
              + (canary ? "reviews-canary" : "reviews-stable")
              + "\"";
      if (query.contains("_bucket")) {
        rows.add(sample("{" + side + ",\"le\":\"25\"}", 0));
        rows.add(sample("{" + side + ",\"le\":\"50\"}", requests));
        rows.add(sample("{" + side + ",\"le\":\"+Inf\"}", requests));
      } else if (query.contains("_sum")) {
        rows.add(sample("{" + side + "}", requests * 40.0));
      } else if (query.contains("response_code")) {
        rows.add(sample("{" + side + "}", errors));
      } else {
        rows.add(sample("{" + side + "}", requests));
      }
    }
    byte[] body =
        ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + String.join(",", rows)
                + "]}}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static String sample(String labels, double value) {
    return "{\"metric\":" + labels + ",\"value\":[1,\"" + value + "\"]}";
  }

  private static URI url(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void createVirtualService(KubernetesClient client, String name) {
    VirtualService vs = VirtualServices.reviews();
    vs.getMetadata().setName(name);
    client.adapt(IstioClient.class).v1().virtualServices().resource(vs).create();
  }

  private static CanaryRelease measuredBy(String name, URI prometheus) {
    CanaryRelease release = release(name).virtualService(name).interval("1s").build();
    PrometheusSpec spec = new PrometheusSpec(prometheus.toString());
    spec.setTimeout("2m");
    release.getSpec().getAnalysis().setPrometheus(spec);
    return release;
  }

  @Test
  void aFailingCanaryIsRolledBackOnItsFirstAnalysisWhileAnotherPrometheusHangs(
      KubernetesClient client) {
    for (int i = 0; i < HANGING_RELEASES; i++) {
      createVirtualService(client, "hung-" + i);
      client.resource(measuredBy("hung-" + i, url(hanging))).create();
    }
    createVirtualService(client, "failing");

    try (RunningOperator operator =
        RunningOperator.start(
            client, new PrometheusAnalysis(CredentialsResolver.NONE, Clock.systemUTC()))) {
      // the hanging releases' analyses first, until their queries fill every place the hanging
      // endpoint has
      await("analyses stuck on the hanging Prometheus")
          .atMost(Duration.ofSeconds(60))
          .until(() -> hangingQueries.get() >= 4);
      client.resource(measuredBy("failing", url(failing))).create();

      CanaryRelease rolledBack =
          LiveReleases.awaitStatus(
              client, "failing", r -> r.getStatus().getPhase() == Phase.RolledBack);

      assertThat(rolledBack.getStatus().getLastAnalysis().getVerdict()).isEqualTo(Verdict.Fail);
      assertThat(rolledBack.getStatus().getLastAnalysis().getReason())
          .startsWith("canary 5xx 5% vs stable 0.1%")
          .contains("worse than the stable with 99% confidence");
      assertThat(rolledBack.getStatus().getHistory())
          .extracting(HistoryEntry::getReason)
          .as("rolled back on its first analysis")
          .containsExactly("RolloutStarted", "RolledBack");
      assertThat(hangingQueries.get())
          .as("the hanging Prometheus was being asked all along")
          .isPositive();
      assertThat(hangingAnswers.get())
          .as("and had answered nothing when the rollback was recorded")
          .isZero();
    }
  }
}
