package dev.canaryoperator;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.reconciler.CanaryReleaseReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Set;

/** The operator assembled: one controller for CanaryRelease, started against a given client. */
public final class CanaryOperator implements AutoCloseable {
  private final Operator operator;
  private final CanaryReleaseReconciler reconciler;

  /**
   * @param namespaces namespaces to watch; empty watches all
   * @param leaderElectionNamespace where the lease lives, or null to run without leader election
   */
  public CanaryOperator(KubernetesClient client, Analysis analysis, Clock clock, MeterRegistry registry,
      Set<String> namespaces, String leaderElectionNamespace) {
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // A missing or forbidden watch must end in a clear status, not in a crash loop.
          .withStopOnInformerErrorDuringStartup(false)
          .withUseSSAToPatchPrimaryResource(true);
      if (leaderElectionNamespace != null) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("canary-operator", leaderElectionNamespace));
      }
    });
    this.reconciler = new CanaryReleaseReconciler(client, analysis, clock, new OperatorMetrics(registry));
    operator.register(reconciler, overrider -> {
      if (!namespaces.isEmpty()) {
        overrider.settingNamespaces(namespaces);
      }
    });
  }

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
    reconciler.close();
  }
}
