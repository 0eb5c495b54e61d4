package dev.canaryoperator;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.PrometheusAnalysis;
import dev.canaryoperator.health.OperatorEndpoints;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.notify.Notifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator against the current kubeconfig (or the in-cluster service account).
 *
 * <p>Environment: WATCH_NAMESPACES (comma-separated; empty watches all), METRICS_PORT (default
 * 8080: /metrics, /healthz, /readyz), LEADER_ELECTION_NAMESPACE (set to enable leader election),
 * LOG_FORMAT (text, the default, or json).
 */
public final class CanaryOperatorMain {
  static {
    // before the first logger: JSON logs come from their own configuration
    String format = System.getenv("LOG_FORMAT");
    if (format != null
        && format.trim().equalsIgnoreCase("json")
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

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
    OperatorMetrics metrics = new OperatorMetrics(registry);
    Analysis analysis = new PrometheusAnalysis(client, Clock.systemUTC(), metrics::queryFailed);
    Notifier notifier =
        new Notifier(
            client,
            Notifier.fromEnvironment(System::getenv),
            Clock.systemUTC(),
            outcome -> metrics.notification(outcome.name()));
    CanaryOperator operator =
        new CanaryOperator(
            client,
            analysis,
            Clock.systemUTC(),
            registry,
            namespaces,
            leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace,
            List.of(notifier));

    OperatorEndpoints http =
        OperatorEndpoints.start(port, registry, operator.probes(Clock.systemUTC()));

    // JOSDK's own hook is not installed under leader election: stop cleanly on SIGTERM ourselves.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping");
                  operator.close();
                  notifier.close();
                  http.close();
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

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
