package dev.canaryoperator.reconciler;

import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.awaitStatus;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.condition;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.eventReasons;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.get;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.request;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.requestFor;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.vs;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testing.VirtualServices.WeightRecorder;
import dev.canaryoperator.testsupport.DeploymentController;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The life around a rollout on a real API server: requests (abort, promote-full, replayed values),
 * finalisation in both modes, deletion, a verdict that arrives while the VirtualService is gone,
 * and a person's hand on the VirtualService.
 */
@RealKubernetes
class LifecycleIT {
  private static final String CANARY = "reviews-canary";

  final ScriptedAnalysis analysis = new ScriptedAnalysis();

  static int canaryWeight(KubernetesClient client) {
    return VirtualServices.canaryWeight(vs(client), CANARY);
  }

  static List<Event> events(KubernetesClient client, String reason) {
    return client.v1().events().list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  @Test
  void anAbortMidStepPutsTheCanaryAtZeroInOneWriteWithTheReason(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", CANARY);
        RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
          .create();
      CanaryRelease atStep =
          awaitStatus(client, "reviews", r -> r.getStatus().getStepAnalysesPassed() >= 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 10);
      int writesBefore = recorder.writes();

      request(
          client,
          "reviews",
          CanaryRelease.ABORT_ANNOTATION,
          requestFor(atStep, "1") + " error budget burning");

      CanaryRelease aborted =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 0);
      assertThat(recorder.canaryWeights()).containsExactly(0, 10, 0);
      assertThat(recorder.writes() - writesBefore).as("VirtualService writes").isEqualTo(1);
      assertThat(aborted.getStatus().getReason()).isEqualTo("Aborted");
      assertThat(condition(aborted, "RolledBack").getReason()).isEqualTo("Aborted");
      assertThat(condition(aborted, "RolledBack").getMessage())
          .isEqualTo("aborted on request: error budget burning");
      assertThat(aborted.getStatus().getHistory())
          .extracting(h -> h.getReason())
          .contains("Aborted");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events(client, "Aborted"))
                      .singleElement()
                      .satisfies(
                          e -> {
                            assertThat(e.getType()).isEqualTo("Warning");
                            assertThat(e.getMessage())
                                .isEqualTo("aborted on request: error budget burning");
                          }));
    }
  }

  @Test
  void promoteFullGoesStraightTo100AndAnOldRequestReappliedDoesNothing(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", CANARY);
        RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").stepDuration("5m").interval("1s").revision("v2").build())
          .create();
      CanaryRelease first =
          awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 1);
      String promoteFull = requestFor(first, "ship-it");
      request(client, "reviews", CanaryRelease.PROMOTE_FULL_ANNOTATION, promoteFull);

      CanaryRelease promoted =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 100);
      assertThat(recorder.canaryWeights()).containsExactly(0, 5, 100);
      assertThat(promoted.getStatus().getReason()).isEqualTo("PromotedFull");
      assertThat(promoted.getStatus().getHistory())
          .filteredOn(h -> "PromotedFull".equals(h.getReason()))
          .singleElement()
          .satisfies(
              h ->
                  assertThat(h.getMessage())
                      .contains("step 1/5", "remaining steps and their analysis were skipped"));

      // The next revision starts a new rollout; the old request value still on the object, and an
      // even older one a GitOps tool puts back, promote nothing.
      client
          .resources(CanaryRelease.class)
          .withName("reviews")
          .edit(
              r -> {
                r.getSpec().setRevision("v3");
                return r;
              });
      awaitStatus(
          client,
          "reviews",
          r ->
              r.getStatus().getPhase() == Phase.Progressing
                  && !r.getStatus().getRolloutId().equals(first.getStatus().getRolloutId()));
      request(
          client,
          "reviews",
          CanaryRelease.PROMOTE_FULL_ANNOTATION,
          first.getStatus().getRolloutId() + ".1/restored-by-gitops");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(events(client, "RequestIgnored"))
                      .singleElement()
                      .satisfies(
                          e ->
                              assertThat(e.getMessage())
                                  .contains(
                                      "is for rollout "
                                          + first.getStatus().getRolloutId()
                                          + ".1")));
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  get(client, "reviews").getStatus().getPhase() == Phase.Progressing
                      && canaryWeight(client) == 5);
    }
  }

  @Test
  void waitForStableHandsTheTrafficBackOnceGitHasRolledTheStableOut(KubernetesClient client) {
    VirtualServices.createReviews(client);
    DeploymentController deployments = new DeploymentController(client);
    deployments.create("reviews-stable", "stable", "reviews:v1");
    deployments.create("reviews-canary", "canary", "reviews:v2");
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", CANARY);
        RunningOperator operator = RunningOperator.start(client, analysis)) {
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
          awaitStatus(
              client,
              "reviews",
              r ->
                  r.getStatus().getPhase() == Phase.Finalising
                      && r.getStatus().getMessage().contains("runs reviews:v2"));
      assertThat(finalising.getStatus().getMessage())
          .contains("reviews-stable runs reviews:v1, reviews-canary runs reviews:v2");
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 100);

      // Git: the new image committed to the stable; its rollout is under way.
      deployments.setImage("reviews-stable", "reviews:v2");
      deployments.rollingOut("reviews-stable");
      awaitStatus(client, "reviews", r -> r.getStatus().getMessage().contains("1/3 updated"));
      assertThat(canaryWeight(client))
          .as("no traffic to a stable still rolling out")
          .isEqualTo(100);

      deployments.rolledOut("reviews-stable");
      CanaryRelease completed =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Completed);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 0);
      assertThat(recorder.canaryWeights()).containsExactly(0, 50, 100, 0);
      assertThat(condition(completed, "Completed").getStatus()).isEqualTo("True");
      assertThat(condition(completed, "Promoted").getStatus()).isEqualTo("True");
      assertThat(deployments.get("reviews-stable").getMetadata().getManagedFields())
          .as("WaitForStable writes no Deployment")
          .noneMatch(f -> "canary-operator".equals(f.getManager()));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(eventReasons(client)).contains("Completed"));

      // The next image on the canary starts the next rollout, with no edit of the release.
      deployments.setImage("reviews-canary", "reviews:v3");
      awaitStatus(
          client,
          "reviews",
          r ->
              r.getStatus().getPhase() == Phase.Progressing
                  && !r.getStatus().getRolloutId().equals(completed.getStatus().getRolloutId()));
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 50);
    }
  }

  @Test
  void copyToStableCopiesThePodSpecWaitsForTheRolloutAndScalesTheCanaryDown(
      KubernetesClient client) {
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
                  .finalize(FinalizeMode.CopyToStable, "5m")
                  .scaleCanaryToZero()
                  .build())
          .create();
      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Finalising);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> deployments.image("reviews-stable").equals("reviews:v2"));
      assertThat(
              deployments.get("reviews-stable").getSpec().getTemplate().getMetadata().getLabels())
          .as("the stable keeps its own labels")
          .containsEntry("track", "stable");
      // the test plays the Deployment controller (no controller-manager here)
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> get(client, "reviews").getStatus().getPhase() == Phase.Finalising);
      deployments.rolledOut("reviews-stable");

      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Completed);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 0);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> deployments.get("reviews-canary").getSpec().getReplicas() == 0);
    }
  }

  @Test
  void deletingMidRolloutPutsTheStableBackAndRemovesWhatTheReleaseAdded(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(
              release("reviews")
                  .stepDuration("5m")
                  .interval("1s")
                  .canaryGroupHeader("x-canary", "true")
                  .canaryHeader("x-track", "canary")
                  .build())
          .create();
      awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 5);
      assertThat(vs(client).getSpec().getHttp()).hasSize(2);

      client.resources(CanaryRelease.class).withName("reviews").delete();

      await().atMost(Duration.ofSeconds(15)).until(() -> get(client, "reviews") == null);
      VirtualService after = vs(client);
      assertThat(VirtualServices.canaryWeight(after, CANARY)).isZero();
      assertThat(after.getSpec().getHttp()).as("the canary-group route is gone").hasSize(1);
      assertThat(after.getSpec().getHttp().get(0).getRoute())
          .allSatisfy(d -> assertThat(d.getHeaders()).as("canary headers").isNull());
      assertThat(events(client, "Deleted"))
          .singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("100% back on the stable"));
    }
  }

  @Test
  void aReleaseWhoseVirtualServiceIsGoneIsDeletedAtOnce(KubernetesClient client) {
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(release("reviews").interval("1s").build()).create();
      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Pending);

      client.resources(CanaryRelease.class).withName("reviews").delete();

      await().atMost(Duration.ofSeconds(15)).until(() -> get(client, "reviews") == null);
      assertThat(events(client, "Deleted"))
          .singleElement()
          .satisfies(
              e -> assertThat(e.getMessage()).contains("without touching the VirtualService"));
    }
  }

  @Test
  void deletingAPromotedReleaseKeepsTheSplit(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").steps(50, 100).stepDuration("1s").interval("1s").build())
          .create();
      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 100);

      client.resources(CanaryRelease.class).withName("reviews").delete();

      await().atMost(Duration.ofSeconds(15)).until(() -> get(client, "reviews") == null);
      assertThat(canaryWeight(client)).isEqualTo(100);
      assertThat(events(client, "Deleted"))
          .singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("split is kept"));
    }
  }

  @Test
  void aFailArrivingWhileTheVirtualServiceIsGoneEndsRolledBackWhenItIsBack(KubernetesClient client)
      throws Exception {
    VirtualServices.createReviews(client);
    CountDownLatch queried = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    ScriptedAnalysis passing = new ScriptedAnalysis();
    ScriptedAnalysis failing = new ScriptedAnalysis();
    failing.answer(Verdict.Fail);
    java.util.concurrent.atomic.AtomicBoolean hold =
        new java.util.concurrent.atomic.AtomicBoolean();
    Analysis slowFail =
        target -> {
          if (!hold.get()) {
            return passing.analyze(target);
          }
          queried.countDown();
          try {
            answer.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          AnalysisResult result = failing.analyze(target);
          return result;
        };
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", CANARY);
        RunningOperator operator = RunningOperator.start(client, slowFail)) {
      client
          .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
          .create();
      awaitStatus(client, "reviews", r -> r.getStatus().getStepAnalysesPassed() >= 1);
      hold.set(true);
      queried.await();

      client.adapt(IstioClient.class).v1().virtualServices().withName("reviews").delete();
      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Pending);
      answer.countDown();
      CanaryRelease rolledBack =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
      assertThat(rolledBack.getStatus().getLastAnalysis().getVerdict()).isEqualTo(Verdict.Fail);

      hold.set(false);
      VirtualServices.createReviews(client);
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(8))
          .until(
              () ->
                  get(client, "reviews").getStatus().getPhase() == Phase.RolledBack
                      && canaryWeight(client) == 0);
      assertThat(condition(get(client, "reviews"), "RolledBack").getMessage())
          .contains("4.2% > 2.0 x stable 1.1%");
    }
  }

  @Test
  void aHandEditSettingTheCanaryToZeroIsTakenAsAnAbort(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", CANARY);
        RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build())
          .create();
      awaitStatus(client, "reviews", r -> r.getStatus().getStepAnalysesPassed() >= 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> canaryWeight(client) == 10);

      // the first thing an SRE does in an incident
      client
          .adapt(IstioClient.class)
          .v1()
          .virtualServices()
          .withName("reviews")
          .edit(
              vs -> {
                vs.getSpec().getHttp().get(0).getRoute().get(0).setWeight(100);
                vs.getSpec().getHttp().get(0).getRoute().get(1).setWeight(0);
                return vs;
              });

      CanaryRelease rolledBack =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
      assertThat(rolledBack.getStatus().getReason()).isEqualTo("CanaryWeightLowered");
      assertThat(condition(rolledBack, "RolledBack").getMessage())
          .contains("canary weight lowered outside the operator", "from 10% to 0%")
          .contains("fabric8-kubernetes-client");
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> canaryWeight(client) == 0);
      assertThat(recorder.canaryWeights()).containsExactly(0, 10, 0);
      assertThat(eventReasons(client)).doesNotContain("WeightsRestored");
    }
  }
}
