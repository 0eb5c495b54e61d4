package dev.canaryoperator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.rollout.StableReadiness;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StableComparisonTest {
  static Deployment deployment(String track, String image, long generation, int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("reviews-" + track)
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "reviews", "track", track))
        .withAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", track))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("reviews")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static Deployment rolledOut(Deployment d, long observed, int updated, int available, int total) {
    return new DeploymentBuilder(d)
        .withNewStatus()
        .withObservedGeneration(observed)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .withReplicas(total)
        .endStatus()
        .build();
  }

  static StableReadiness compare(Deployment stable, Deployment canary) {
    return StableComparison.of(stable, canary, "reviews-stable", "reviews-canary");
  }

  @Test
  void anotherImageIsNamedAndLabelsAndAnnotationsAreNotCompared() {
    Deployment canary = deployment("canary", "reviews:v2", 1, 1);
    StableReadiness old =
        compare(rolledOut(deployment("stable", "reviews:v1", 1, 3), 1, 3, 3, 3), canary);
    assertThat(old.runsCanary()).isFalse();
    assertThat(old.waitingFor())
        .contains("reviews-stable runs reviews:v1, reviews-canary runs reviews:v2");

    StableReadiness same =
        compare(rolledOut(deployment("stable", "reviews:v2", 2, 3), 2, 3, 3, 3), canary);
    assertThat(same.ready()).isTrue();
  }

  @Test
  void aPodSpecThatDiffersBeyondTheImageIsNotTheCanarys() {
    Deployment canary = deployment("canary", "reviews:v2", 1, 1);
    Deployment stable = deployment("stable", "reviews:v2", 2, 3);
    stable.getSpec().getTemplate().getSpec().setServiceAccountName("other");
    StableReadiness readiness = compare(rolledOut(stable, 2, 3, 3, 3), canary);
    assertThat(readiness.runsCanary()).isFalse();
    assertThat(readiness.waitingFor()).contains("differ beyond the images");
  }

  @Test
  void theRolloutMustBeCompleteBeforeTheStableIsReady() {
    Deployment canary = deployment("canary", "reviews:v2", 1, 1);
    Deployment stable = deployment("stable", "reviews:v2", 3, 3);
    assertThat(compare(stable, canary).ready()).as("no status yet").isFalse();
    assertThat(compare(rolledOut(stable, 2, 3, 3, 3), canary).waitingFor())
        .as("generation not observed")
        .contains("has not seen generation 3");
    assertThat(compare(rolledOut(stable, 3, 1, 2, 4), canary).waitingFor())
        .contains("1/3 updated, 2/3 available, 1 old still running");
    assertThat(compare(rolledOut(stable, 3, 3, 3, 4), canary).ready())
        .as("an old replica still running")
        .isFalse();
    assertThat(compare(rolledOut(stable, 3, 3, 3, 3), canary).ready()).isTrue();
  }

  @Test
  void aStableScaledToZeroNeverTakesTheTrafficBack() {
    Deployment canary = deployment("canary", "reviews:v2", 1, 1);
    StableReadiness readiness =
        compare(rolledOut(deployment("stable", "reviews:v2", 1, 0), 1, 0, 0, 0), canary);
    assertThat(readiness.ready()).isFalse();
    assertThat(readiness.waitingFor()).contains("scaled to 0");
  }

  @Test
  void missingDeploymentsAreNamed() {
    assertThat(compare(null, deployment("canary", "v2", 1, 1)).waitingFor())
        .contains("reviews-stable not found");
    assertThat(compare(deployment("stable", "v2", 1, 1), null).waitingFor())
        .contains("reviews-canary not found");
  }
}
