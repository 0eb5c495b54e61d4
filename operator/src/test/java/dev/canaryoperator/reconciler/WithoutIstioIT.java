package dev.canaryoperator.reconciler;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.testing.RealKubernetesExtension;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.TestCluster;
import dev.canaryoperator.testsupport.Crds;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster without Istio: the operator keeps running and says what is missing, no crash loop. */
class WithoutIstioIT {

  @Test
  void releasesStayPendingWithAConditionNamingTheMissingCrd() {
    try (TestCluster cluster = RealKubernetesExtension.startBareKubeApiServer();
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(cluster.adminConfig()).withNamespace("shop").build())
                .build()) {
      Crds.install(client, List.of("/META-INF/fabric8/canaryreleases.canaryoperator.dev-v1.yml"));
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
          .create();

      try (RunningOperator operator = RunningOperator.start(client, new ScriptedAnalysis())) {
        client.resource(release("reviews").stepDuration("2s").interval("1s").build()).create();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  CanaryRelease live =
                      client.resources(CanaryRelease.class).withName("reviews").get();
                  assertThat(live.getStatus()).isNotNull();
                  assertThat(live.getStatus().getPhase()).isEqualTo(Phase.Pending);
                  Condition ready =
                      live.getStatus().getConditions().stream()
                          .filter(c -> c.getType().equals("Ready"))
                          .findFirst()
                          .orElseThrow();
                  assertThat(ready.getStatus()).isEqualTo("False");
                  assertThat(ready.getMessage()).contains("VirtualService CRD is not installed");
                });
        // Still alive and reconciling: a second release gets its status too.
        client.resource(release("ratings").virtualService("ratings").build()).create();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  CanaryRelease live =
                      client.resources(CanaryRelease.class).withName("ratings").get();
                  return live.getStatus() != null && live.getStatus().getPhase() == Phase.Pending;
                });
      }
    }
  }
}
