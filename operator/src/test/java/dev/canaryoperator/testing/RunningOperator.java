package dev.canaryoperator.testing;

import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.analysis.Analysis;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
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
    KubernetesClient own = new KubernetesClientBuilder().withConfig(testClient.getConfiguration()).build();
    CanaryOperator operator = new CanaryOperator(own, analysis, Clock.systemUTC(), new SimpleMeterRegistry(),
        Set.of(testClient.getNamespace()), null);
    operator.start();
    return new RunningOperator(own, operator);
  }

  @Override
  public void close() {
    operator.close();
    client.close();
  }
}
