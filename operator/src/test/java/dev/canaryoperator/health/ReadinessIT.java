package dev.canaryoperator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.testing.RealKubernetes;
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

/** /readyz through the operator's own HTTP port, against a real API server. */
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

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(
        java.net.http.HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
