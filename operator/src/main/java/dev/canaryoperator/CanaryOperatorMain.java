package dev.canaryoperator;

import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.PrometheusAnalysis;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator against the current kubeconfig (or the in-cluster service account).
 *
 * <p>Environment: WATCH_NAMESPACES (comma-separated; empty watches all), METRICS_PORT (default
 * 8080: /metrics, /healthz), LEADER_ELECTION_NAMESPACE (set to enable leader election).
 */
public final class CanaryOperatorMain {
  private static final Logger log = LoggerFactory.getLogger(CanaryOperatorMain.class);

  private CanaryOperatorMain() {}

  public static void main(String[] args) throws IOException {
    Set<String> namespaces =
        Arrays.stream(env("WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    int port = Integer.parseInt(env("METRICS_PORT", "8080"));
    String leaseNamespace = System.getenv("LEADER_ELECTION_NAMESPACE");

    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                CanaryOperator.clientConfig(
                    io.fabric8.kubernetes.client.Config.autoConfigure(null)))
            .build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Analysis analysis = new PrometheusAnalysis(client, Clock.systemUTC());
    CanaryOperator operator =
        new CanaryOperator(
            client,
            analysis,
            Clock.systemUTC(),
            registry,
            namespaces,
            leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace);

    HttpServer http = HttpServer.create(new InetSocketAddress(port), 0);
    http.createContext("/metrics", exchange -> respond(exchange, 200, registry.scrape()));
    http.createContext("/healthz", exchange -> respond(exchange, 200, "ok"));
    http.start();

    // JOSDK's own hook is not installed under leader election: stop cleanly on SIGTERM ourselves.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping");
                  operator.close();
                  http.stop(0);
                  client.close();
                },
                "shutdown"));
    operator.start();
    log.info(
        "canary-operator started against {} (namespaces: {}, metrics on :{})",
        client.getMasterUrl(),
        namespaces.isEmpty() ? "all" : namespaces,
        port);
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int code, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
