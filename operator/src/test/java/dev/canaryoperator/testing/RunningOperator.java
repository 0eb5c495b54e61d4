package dev.canaryoperator.testing;

import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.rollout.TransitionListener;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/** The operator as production assembles it, with its own client, watching one test namespace. */
public final class RunningOperator implements AutoCloseable {
  private final KubernetesClient client;
  private final CanaryOperator operator;

  private RunningOperator(KubernetesClient client, CanaryOperator operator) {
    this.client = client;
    this.operator = operator;
  }

  public static RunningOperator start(KubernetesClient testClient, Analysis analysis) {
    return start(testClient, analysis, (Interceptor) null);
  }

  /** As {@link #start(KubernetesClient, Analysis)}, with a fault in the operator's HTTP client. */
  public static RunningOperator start(
      KubernetesClient testClient, Analysis analysis, Interceptor fault) {
    return start(testClient, analysis, fault, List.of());
  }

  /** As {@link #start(KubernetesClient, Analysis)}, telling listeners about every transition. */
  public static RunningOperator start(
      KubernetesClient testClient, Analysis analysis, List<TransitionListener> listeners) {
    return start(testClient, analysis, null, listeners);
  }

  private static RunningOperator start(
      KubernetesClient testClient,
      Analysis analysis,
      Interceptor fault,
      List<TransitionListener> listeners) {
    KubernetesClientBuilder builder =
        new KubernetesClientBuilder()
            .withConfig(CanaryOperator.clientConfig(testClient.getConfiguration()));
    if (fault != null) {
      builder.withHttpClientBuilderConsumer(
          http -> http.addOrReplaceInterceptor("test-fault", fault));
    }
    KubernetesClient own = builder.build();
    CanaryOperator operator =
        new CanaryOperator(
            own,
            analysis,
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            Set.of(testClient.getNamespace()),
            null,
            listeners);
    operator.start();
    return new RunningOperator(own, operator);
  }

  /**
   * The operator on a client built from the given configuration (e.g. one impersonating the Helm
   * chart's ServiceAccount), watching the given namespaces (empty: all), with leader election in
   * leaseNamespace unless that is null.
   */
  public static RunningOperator start(
      Config config, Analysis analysis, Set<String> namespaces, String leaseNamespace) {
    KubernetesClient own =
        new KubernetesClientBuilder().withConfig(CanaryOperator.clientConfig(config)).build();
    try {
      CanaryOperator operator =
          new CanaryOperator(
              own,
              analysis,
              Clock.systemUTC(),
              new SimpleMeterRegistry(),
              namespaces,
              leaseNamespace);
      operator.start();
      return new RunningOperator(own, operator);
    } catch (RuntimeException e) {
      own.close();
      throw e;
    }
  }

  /** The operator itself, e.g. for its probes. */
  public CanaryOperator operator() {
    return operator;
  }

  @Override
  public void close() {
    operator.close();
    client.close();
  }
}
