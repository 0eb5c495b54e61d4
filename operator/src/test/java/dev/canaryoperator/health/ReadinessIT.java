package dev.canaryoperator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.testing.HaltAtWrite;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.Releases;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** /readyz and /healthz through the operator's own HTTP port, against a real API server. */
@RealKubernetes
class ReadinessIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void notReadyUntilTheInformersHaveSyncedThenReady(KubernetesClient testClient) throws Exception {
    // the API server refuses the operator's CanaryRelease list until the test lets it through
    AtomicBoolean refuse = new AtomicBoolean(true);
    Interceptor refuseReleases =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (refuse.get() && request.uri().getPath().contains("/canaryreleases")) {
              builder.uri(
                  URI.create(
                      request.uri().toString().replace("/canaryreleases", "/no-such-resource")));
            }
          }
        };
    KubernetesClient own =
        new KubernetesClientBuilder()
            .withConfig(CanaryOperator.clientConfig(testClient.getConfiguration()))
            .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("refuse", refuseReleases))
            .build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CanaryOperator operator =
        new CanaryOperator(
            own,
            target -> {
              throw new AssertionError("no release to analyse");
            },
            Clock.systemUTC(),
            registry,
            Set.of(testClient.getNamespace()),
            null);
    try (OperatorEndpoints endpoints =
        OperatorEndpoints.start(0, registry, operator.probes(Clock.systemUTC()))) {
      URI readyz = URI.create("http://127.0.0.1:" + endpoints.port() + "/readyz");
      CompletableFuture<Void> starting = CompletableFuture.runAsync(operator::start);

      // a few seconds of refused lists: never ready meanwhile
      for (int i = 0; i < 6; i++) {
        assertThat(get(readyz).statusCode()).isEqualTo(503);
        Thread.sleep(500);
      }
      assertThat(get(readyz).body()).startsWith("not ready");

      refuse.set(false);
      await("ready once the informers have synced")
          .atMost(Duration.ofSeconds(90))
          .until(() -> get(readyz).statusCode() == 200);
      assertThat(get(readyz).body()).isEqualTo("ready: every informer has synced and watches\n");
      starting.get();
      URI healthz = URI.create("http://127.0.0.1:" + endpoints.port() + "/healthz");
      assertThat(get(healthz).statusCode()).isEqualTo(200);
    } finally {
      operator.close();
      own.close();
    }
  }

  @Test
  void aReconcileStuckOnItsVirtualServiceWriteMakesTheOperatorDead(KubernetesClient client)
      throws Exception {
    VirtualServices.createReviews(client);
    // the operator's first VirtualService write never returns: its reconcile thread is stuck
    HaltAtWrite stuck =
        new HaltAtWrite(
            HaltAtWrite.Point.BEFORE,
            r -> r.path().contains("/virtualservices/") && !r.method().equals("GET"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (RunningOperator running = RunningOperator.start(client, new ScriptedAnalysis(), stuck);
        OperatorEndpoints endpoints =
            OperatorEndpoints.start(
                0, registry, running.operator().probes(Clock.systemUTC(), Duration.ofSeconds(3)))) {
      URI healthz = URI.create("http://127.0.0.1:" + endpoints.port() + "/healthz");
      await("live once started")
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(healthz).statusCode() == 200);

      client.resource(Releases.release("reviews").build()).create();
      stuck.awaitHalt(Duration.ofSeconds(30));
      assertThat(get(healthz).statusCode()).as("a reconcile may take a while").isEqualTo(200);

      await("dead once the reconcile has run past the limit")
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(healthz).statusCode() == 503);
      assertThat(get(healthz).body())
          .startsWith(
              "cannot reconcile: the reconcile of " + client.getNamespace() + "/reviews has been")
          .contains("(a stuck thread)");
      stuck.kill();
    }
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(
        java.net.http.HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
