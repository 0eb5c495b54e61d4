package dev.canaryoperator.argocd;

import static dev.canaryoperator.testing.LiveReleases.awaitStatus;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.ArgoCd;
import dev.canaryoperator.testing.ArgoCd.Health;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testsupport.DeploymentController;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real releases through every phase, with the health Argo CD's engine computes from our health.lua,
 * and every action run by Argo CD's engine from our action scripts, its patch applied as Argo CD
 * applies it, and the operator acting on it.
 */
@RealKubernetes
class ArgoCdIT {
  static ArgoCd argoCd;
  final ScriptedAnalysis analysis = new ScriptedAnalysis();

  private static final String REQUEST = SavedReleases.ROLLOUT_ID + ".1/argocd-4711";
  private static final Map<String, String> ABORT =
      Map.of("canaryoperator.dev/abort", REQUEST + " aborted from Argo CD");

  @BeforeAll
  static void harness() throws Exception {
    argoCd = ArgoCd.fromBuild();
  }

  static CanaryRelease until(KubernetesClient client, Predicate<CanaryRelease> condition) {
    return awaitStatus(client, "reviews", condition);
  }

  static Predicate<CanaryRelease> phase(Phase phase) {
    return r -> r.getStatus().getPhase() == phase;
  }

  /** At the first step with its first analysis done: the object a user sees most of the time. */
  static Predicate<CanaryRelease> analysedAtFirstStep() {
    return r ->
        r.getStatus().getPhase() == Phase.Progressing
            && r.getStatus().getCurrentStep() == 1
            && r.getStatus().getLastAnalysis() != null;
  }

  @Test
  void manualPromotionSuspendedThenPromotedByTheArgoCdAction(KubernetesClient client) {
    SavedReleases saved = new SavedReleases(client, argoCd);
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(
              release("reviews")
                  .steps(50, 100)
                  .stepDuration("2s")
                  .interval("1s")
                  .manualPromotion()
                  .build())
          .create();
      CanaryRelease progressing = until(client, phase(Phase.Progressing));
      assertThat(argoCd.health(client, progressing).status()).isEqualTo("Progressing");

      CanaryRelease waiting =
          until(client, r -> Boolean.TRUE.equals(r.getStatus().getAwaitingPromotion()));
      Health suspended = argoCd.health(client, waiting);
      assertThat(suspended.status()).isEqualTo("Suspended");
      assertThat(suspended.message()).startsWith("Paused: waiting for promotion");
      saved.check("awaitingPromotion", waiting);
      saved.expectAction(
          "awaitingPromotion", "promote", Map.of("canaryoperator.dev/promote", REQUEST), null);

      argoCd.act(client, waiting, "promote");
      CanaryRelease promoted = until(client, phase(Phase.Promoted));
      assertThat(argoCd.health(client, promoted))
          .isEqualTo(new Health("Healthy", "Promoted: " + promoted.getStatus().getMessage()));
      saved.check("promoted", promoted);
    }
  }

  @Test
  void abortRetryAndPromoteFullFromArgoCd(KubernetesClient client) {
    SavedReleases saved = new SavedReleases(client, argoCd);
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
          .create();
      CanaryRelease progressing = until(client, analysedAtFirstStep());
      saved.check("progressing", progressing);
      saved.expectAction("progressing", "abort", ABORT, null);
      saved.expectAction(
          "progressing", "promote-full", Map.of("canaryoperator.dev/promote-full", REQUEST), null);
      saved.expectAction("progressing", "pause", Map.of(), true);

      String patch = argoCd.act(client, progressing, "abort");
      assertThat(patch).contains("canaryoperator.dev/abort", "aborted from Argo CD");
      CanaryRelease aborted = until(client, phase(Phase.RolledBack));
      assertThat(aborted.getStatus().getReason()).isEqualTo("Aborted");
      assertThat(argoCd.health(client, aborted).status()).isEqualTo("Degraded");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 0);

      argoCd.act(client, aborted, "retry");
      CanaryRelease retried =
          until(
              client,
              r ->
                  r.getStatus().getPhase() == Phase.Progressing && r.getStatus().getAttempt() == 2);
      assertThat(argoCd.health(client, retried).status()).isEqualTo("Progressing");

      argoCd.act(client, retried, "promote-full");
      CanaryRelease promoted = until(client, phase(Phase.Promoted));
      assertThat(promoted.getStatus().getReason()).isEqualTo("PromotedFull");
      assertThat(argoCd.health(client, promoted).status()).isEqualTo("Healthy");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 100);

      // the abort Argo CD wrote for attempt 1 is still on the object: it aborts nothing now
      assertThat(get(client).getMetadata().getAnnotations())
          .containsKey("canaryoperator.dev/abort");
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(4))
          .until(() -> get(client).getStatus().getPhase() == Phase.Promoted);
    }
  }

  @Test
  void pauseAndResumeFromArgoCdAndAFailedReleaseIsDegraded(KubernetesClient client) {
    SavedReleases saved = new SavedReleases(client, argoCd);
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
          .create();
      CanaryRelease progressing = until(client, analysedAtFirstStep());

      argoCd.act(client, progressing, "pause");
      CanaryRelease paused = until(client, phase(Phase.Paused));
      assertThat(argoCd.health(client, paused).status()).isEqualTo("Suspended");
      saved.check("paused", paused);
      saved.expectAction("paused", "resume", Map.of(), false);

      argoCd.act(client, paused, "resume");
      CanaryRelease resumed = until(client, phase(Phase.Progressing));
      assertThat(argoCd.health(client, resumed).status()).isEqualTo("Progressing");

      // a VirtualService without a route to the stable: the release fails, Argo CD says Degraded
      client
          .adapt(IstioClient.class)
          .v1()
          .virtualServices()
          .withName("reviews")
          .edit(
              vs -> {
                vs.getSpec().getHttp().get(0).getRoute().get(0).getDestination().setHost("other");
                vs.getSpec().getHttp().get(0).getRoute().remove(1);
                return vs;
              });
      CanaryRelease failed = until(client, phase(Phase.Failed));
      assertThat(argoCd.health(client, failed).status()).isEqualTo("Degraded");
      saved.check("failed", failed);
    }
  }

  @Test
  void finalisingIsProgressingAndCompletedIsHealthy(KubernetesClient client) {
    SavedReleases saved = new SavedReleases(client, argoCd);
    VirtualServices.createReviews(client);
    DeploymentController deployments = new DeploymentController(client);
    deployments.create("reviews-stable", "stable", "reviews:v1");
    deployments.create("reviews-canary", "canary", "reviews:v2");
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(
              release("reviews")
                  .steps(50, 100)
                  .stepDuration("1s")
                  .interval("1s")
                  .finalize(FinalizeMode.WaitForStable, "5m")
                  .build())
          .create();
      CanaryRelease finalising =
          until(
              client,
              r ->
                  r.getStatus().getPhase() == Phase.Finalising
                      && r.getStatus().getMessage().contains("runs reviews:v2"));
      assertThat(argoCd.health(client, finalising).status()).isEqualTo("Progressing");
      saved.check("finalising", finalising);
      saved.expectAction("finalising", "abort", ABORT, null);

      // the test plays the Deployment controller: no controller-manager here
      deployments.setImage("reviews-stable", "reviews:v2");
      deployments.rolledOut("reviews-stable");
      CanaryRelease completed = until(client, phase(Phase.Completed));
      assertThat(argoCd.health(client, completed).status()).isEqualTo("Healthy");
      saved.check("completed", completed);
    }
  }

  @Test
  void notYetSeenPendingANewGenerationAndAFailedAnalysisAsArgoCdShowsThem(KubernetesClient client) {
    SavedReleases saved = new SavedReleases(client, argoCd);
    client
        .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
        .create();
    CanaryRelease unseen = get(client);
    assertThat(argoCd.health(client, unseen).status()).isEqualTo("Progressing");
    saved.check("new", unseen);

    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      CanaryRelease pending = until(client, phase(Phase.Pending));
      assertThat(argoCd.health(client, pending).status()).isEqualTo("Progressing");
      saved.check("pending", pending);
      VirtualServices.createReviews(client);
      until(client, analysedAtFirstStep());
    }

    // the spec changes while no operator runs: Argo CD waits for it to observe generation 2
    client
        .resources(CanaryRelease.class)
        .withName("reviews")
        .edit(
            r -> {
              r.getSpec().setStepDuration("10m");
              return r;
            });
    CanaryRelease newGeneration = get(client);
    assertThat(argoCd.health(client, newGeneration).message())
        .isEqualTo("Waiting for the operator to observe generation 2");
    saved.check("progressing_newGeneration", newGeneration);

    analysis.answer(Verdict.Fail);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      CanaryRelease rolledBack = until(client, phase(Phase.RolledBack));
      assertThat(argoCd.health(client, rolledBack).status()).isEqualTo("Degraded");
      saved.check("rolledBack", rolledBack);
      saved.expectAction("rolledBack", "retry", Map.of("canaryoperator.dev/retry", REQUEST), null);
    }
  }

  private static CanaryRelease get(KubernetesClient client) {
    return client.resources(CanaryRelease.class).withName("reviews").get();
  }

  private static io.fabric8.istio.api.networking.v1.VirtualService vs(KubernetesClient client) {
    return client.adapt(IstioClient.class).v1().virtualServices().withName("reviews").get();
  }
}
