package dev.canaryoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Finalize;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.simulator.BackendBehaviour;
import dev.canaryoperator.testsupport.DeploymentController;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A release train the GitOps way, with spec.finalize WaitForStable: three revisions of one service,
 * each committed to the canary Deployment; a promoted one is then committed to the stable
 * Deployment, and the operator hands the traffic back once it has rolled out.
 *
 * <p>There is no controller-manager or kubelet here: the test plays both. It writes each
 * Deployment's rollout status, and it makes the simulated backend of a track answer as the image
 * that track now runs (v1 and v2 healthy, v3 with three times the errors).
 */
class ReleaseTrainIT extends MeshStackTest {
  private static final String RELEASE = "reviews";
  private static final Map<String, BackendBehaviour> IMAGES =
      Map.of(
          "reviews:v1", behaviour(0.15),
          "reviews:v2", behaviour(0.15),
          "reviews:v3", behaviour(0.45));

  private static BackendBehaviour behaviour(double errorRate) {
    return new BackendBehaviour(
        errorRate,
        MeshSpec.STEADY.errorStatus(),
        MeshSpec.STEADY.latencyMs(),
        MeshSpec.STEADY.latencySigma());
  }

  @Test
  void v2IsPromotedAndFinalisedBackToTheStableThenV3IsRolledBack() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("release-train").withErrorRate(0.15));
    DeploymentController deployments = new DeploymentController(stack.client(), mesh.namespace());
    deployments.create("reviews-stable", "stable", "reviews:v1");
    deployments.create("reviews-canary", "canary", "reviews:v2");
    runs(Mesh.STABLE, "reviews:v1");
    runs(Mesh.CANARY, "reviews:v2");

    // kubectl apply, once: the release names the Deployments; no revision, the canary's pod
    // spec is the rollout's identity
    CanaryRelease release =
        ReleasePlan.of(Duration.ofSeconds(8), 50, 100)
            .interval(Duration.ofSeconds(3))
            .window(Duration.ofSeconds(6))
            .minRequests(50)
            .release(RELEASE, stack.prometheusUrl());
    release.getSpec().setFinalize(waitForStable());
    status = mesh.statusLog(RELEASE);
    mesh.apply(release);

    // v2: promoted, then waits for Git to bring the stable to v2
    await("v2 finalising")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .failFast("v2 rolled back", () -> phase() == Phase.RolledBack)
        .until(() -> phase() == Phase.Finalising);
    await().atMost(Duration.ofSeconds(10)).until(() -> canaryWeight() == 100);
    String v2Rollout = status.latest().getRolloutId();

    // Git: v2 committed to the stable Deployment; its pods roll out and serve
    deployments.setImage("reviews-stable", "reviews:v2");
    deployments.rolledOut("reviews-stable");
    runs(Mesh.STABLE, "reviews:v2");
    await("v2 completed")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> phase() == Phase.Completed);
    await().atMost(Duration.ofSeconds(10)).until(() -> canaryWeight() == 0);

    // Git: v3 committed to the canary Deployment: the next rollout starts by itself
    deployments.setImage("reviews-canary", "reviews:v3");
    deployments.rolledOut("reviews-canary");
    runs(Mesh.CANARY, "reviews:v3");
    await("v3 rolled back")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .failFast("v3 promoted", () -> phase() == Phase.Finalising || phase() == Phase.Promoted)
        .until(
            () -> phase() == Phase.RolledBack && !status.latest().getRolloutId().equals(v2Rollout));
    await().atMost(Duration.ofSeconds(10)).until(() -> canaryWeight() == 0);

    CanaryReleaseStatus last = status.latest();
    assertThat(last.getReason()).isEqualTo("AnalysisFailed");
    assertThat(last.getLastAnalysis().getReason())
        .contains("> 2.0x, and worse than the stable with 99% confidence");
    assertThat(deployments.image("reviews-stable"))
        .as("the stable runs v2")
        .isEqualTo("reviews:v2");
    assertThat(canaryWeight()).as("the stable serves 100%").isZero();
    List<String> reasons =
        status.seen().stream()
            .flatMap(s -> s.status().getHistory().stream())
            .map(HistoryEntry::getReason)
            .distinct()
            .toList();
    assertThat(reasons)
        .containsSubsequence("RolloutStarted", "Promoted", "Finalising", "Completed", "NewRollout")
        .contains("RolledBack");
  }

  private static Finalize waitForStable() {
    Finalize finalize =
        new Finalize(FinalizeMode.WaitForStable, "reviews-stable", "reviews-canary");
    finalize.setTimeout("2m");
    return finalize;
  }

  /** The kubelet's part: the track's backend answers as its image does. */
  private void runs(String backend, String image) {
    mesh.behaviour(backend, IMAGES.get(image));
  }

  private int canaryWeight() {
    return Mesh.canaryWeight(mesh.virtualService());
  }

  private Phase phase() {
    CanaryReleaseStatus latest = status.latest();
    return latest == null ? null : latest.getPhase();
  }
}
