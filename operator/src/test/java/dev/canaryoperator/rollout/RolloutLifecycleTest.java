package dev.canaryoperator.rollout;

import static dev.canaryoperator.rollout.RolloutStateMachineTest.FAIL;
import static dev.canaryoperator.rollout.RolloutStateMachineTest.PASS;
import static dev.canaryoperator.rollout.RolloutStateMachineTest.min;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.OnDelete;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.rollout.RolloutStateMachineTest.Drive;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import dev.canaryoperator.testing.Releases;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests, finalisation, deletion, hand edits and bad specs: the life around a rollout. */
class RolloutLifecycleTest {
  static final TrafficProblem GONE =
      new TrafficProblem(TrafficProblem.Kind.VirtualServiceNotFound, "VirtualService gone");

  /** A release at step {@code step} (5/10/25/50/100, 2 min each, analysis every minute). */
  static Drive atStep(Releases release, int step) {
    Drive d = new Drive(release);
    d.decide(null);
    for (int minute = 1; d.state.step() < step; minute++) {
      d.analyseAt(min(minute), PASS);
    }
    return d;
  }

  static Drive promotedWith(Releases release) {
    Drive d = atStep(release, 1);
    d.promoteFull = d.request("go");
    d.decide(null);
    d.promoteFull = null;
    return d;
  }

  @Nested
  class Abort {
    @ParameterizedTest(name = "at step {0}")
    @ValueSource(ints = {1, 3, 5})
    void rollsBackAtOnceWithTheReasonGiven(int step) {
      Drive d = atStep(release("reviews"), step);
      d.abort = d.request("1 canary pods crash-looping");
      Decision aborted = d.decide(null);
      assertThat(aborted.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(aborted.state().reason()).isEqualTo("Aborted");
      assertThat(aborted.state().message())
          .isEqualTo("aborted on request: canary pods crash-looping");
      assertThat(aborted.weights()).isEqualTo(RouteWeights.ALL_STABLE);
      assertThat(aborted.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("Aborted");
                assertThat(t.warning()).isTrue();
              });
      // acknowledged: the annotation staying there does nothing more
      d.at(min(30));
      assertThat(d.decide(null).transitions()).isEmpty();
    }

    @Test
    void worksWhilePausedAndWhileWaitingForAManualPromotion() {
      Drive paused = atStep(release("reviews").paused(true), 1);
      paused.abort = paused.request("x");
      assertThat(paused.decide(null).state().phase()).isEqualTo(Phase.RolledBack);

      Drive waiting = atStep(release("reviews").steps(50, 100).manualPromotion(), 2);
      waiting.analyseAt(min(3), PASS);
      waiting.analyseAt(min(4), PASS);
      assertThat(waiting.state.progress().awaitingPromotion()).isTrue();
      waiting.abort = waiting.request("x");
      assertThat(waiting.decide(null).state().phase()).isEqualTo(Phase.RolledBack);
    }

    @Test
    void whileTheVirtualServiceIsMissingIsRecordedAndWrittenWhenItIsBack() {
      Drive d = atStep(release("reviews"), 2);
      d.problem = GONE;
      d.decide(null);
      d.abort = d.request("x");
      Decision aborted = d.decide(null);
      assertThat(aborted.state().phase()).isEqualTo(Phase.RolledBack);
      d.problem = null;
      assertThat(d.decide(null).weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }

    @Test
    void whileFinalisingHandsTheTrafficBackToTheStable() {
      Drive d = promotedWith(release("reviews").finalize(FinalizeMode.WaitForStable, "10m"));
      assertThat(d.state.phase()).isEqualTo(Phase.Finalising);
      d.abort = d.request("x");
      Decision aborted = d.decide(null);
      assertThat(aborted.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(aborted.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }

    @Test
    void ofAFailedReleaseRollsBackAndOfACompletedOneDoesNothing() {
      Drive failed = atStep(release("reviews"), 2);
      failed.problem =
          new TrafficProblem(TrafficProblem.Kind.NoStableRoute, "no route to reviews-stable");
      assertThat(failed.decide(null).state().phase()).isEqualTo(Phase.Failed);
      failed.abort = failed.request("x");
      assertThat(failed.decide(null).state().phase()).isEqualTo(Phase.RolledBack);

      Drive completed =
          promotedWith(release("reviews").finalize(FinalizeMode.WaitForStable, "10m"));
      completed.stable = new StableReadiness(true, true, null);
      completed.decide(null);
      assertThat(completed.state.phase()).isEqualTo(Phase.Completed);
      completed.abort = completed.request("x");
      Decision refused = completed.decide(null);
      assertThat(refused.state().phase()).isEqualTo(Phase.Completed);
      assertThat(refused.weights()).isEqualTo(RouteWeights.ALL_STABLE);
      assertThat(refused.transitions())
          .extracting(Transition::reason)
          .containsExactly("RequestIgnored");
    }

    @Test
    void ofAPromotedOrRolledBackReleaseDoesNothingAndSaysWhy() {
      Drive promoted = promotedWith(release("reviews"));
      promoted.abort = promoted.request("x");
      Decision refused = promoted.decide(null);
      assertThat(refused.state().phase()).isEqualTo(Phase.Promoted);
      assertThat(refused.weights()).isEqualTo(RouteWeights.ALL_CANARY);
      assertThat(refused.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.reason()).isEqualTo("RequestIgnored");
                assertThat(t.message()).contains("abort makes no sense", "Promoted");
              });
      // said once: the value is acknowledged
      assertThat(promoted.decide(null).transitions()).isEmpty();

      Drive rolledBack = atStep(release("reviews"), 1);
      rolledBack.analyseAt(min(1), FAIL);
      rolledBack.abort = rolledBack.request("x");
      assertThat(rolledBack.decide(null).transitions())
          .extracting(Transition::reason)
          .containsExactly("RequestIgnored");
    }
  }

  @Nested
  class PromoteFull {
    @ParameterizedTest(name = "from step {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void goesStraightTo100SkippingTheRemainingStepsAndAnalysis(int step) {
      Drive d = atStep(release("reviews"), step);
      d.promoteFull = d.request("ship-it");
      Decision promoted = d.decide(null);
      assertThat(promoted.state().phase()).isEqualTo(Phase.Promoted);
      assertThat(promoted.state().reason()).isEqualTo("PromotedFull");
      assertThat(promoted.weights()).isEqualTo(RouteWeights.ALL_CANARY);
      assertThat(promoted.transitions())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.message())
                      .contains("promoted in full on request at step " + step + "/5")
                      .contains("remaining steps and their analysis were skipped"));
      d.at(min(60));
      assertThat(d.due()).as("no more analysis").isFalse();
    }

    @Test
    void isRefusedWhileSpecPausedIsTrue() {
      Drive d = atStep(release("reviews").paused(true), 1);
      d.promoteFull = d.request("x");
      Decision refused = d.decide(null);
      assertThat(refused.state().phase()).isEqualTo(Phase.Paused);
      assertThat(refused.transitions())
          .anySatisfy(t -> assertThat(t.message()).contains("spec.paused is true"));
    }
  }

  @Nested
  class BoundRequests {
    @Test
    void aRequestForAnotherRolloutDoesNothingAndSaysWhy() {
      Drive d = atStep(release("reviews"), 2);
      d.promoteFull = "0123456789ab.1/restored-from-git";
      Decision refused = d.decide(null);
      assertThat(refused.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(refused.weights().canary()).isEqualTo(10);
      assertThat(refused.transitions())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.message())
                      .contains("is for rollout 0123456789ab.1, not the current")
                      .contains(d.state.rollout().key()));
    }

    @Test
    void aValueThatNamesNoRolloutSaysHowToWriteOne() {
      Drive d = atStep(release("reviews"), 1);
      d.abort = "1732550000";
      Decision refused = d.decide(null);
      assertThat(refused.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(refused.transitions())
          .singleElement()
          .satisfies(t -> assertThat(t.message()).contains(d.state.rollout().key() + "/"));
    }

    @Test
    void aRetryOfAnEarlierAttemptRestoredLaterRetriesNothing() {
      Drive d = atStep(release("reviews"), 1);
      d.analyseAt(min(1), FAIL);
      String firstRetry = d.request("a");
      d.retry = firstRetry;
      Decision second = d.decide(null);
      assertThat(second.state().rollout().attempt()).isEqualTo(2);
      d.analyseAt(min(2), FAIL);
      assertThat(d.state.phase()).isEqualTo(Phase.RolledBack);

      // a GitOps tool puts back an older value, then the first one again
      d.retry = "something-older";
      d.decide(null);
      d.retry = firstRetry;
      Decision replayed = d.decide(null);
      assertThat(replayed.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(replayed.transitions())
          .extracting(Transition::reason)
          .containsExactly("RequestIgnored");

      d.retry = d.request("b");
      assertThat(d.decide(null).state().rollout().attempt()).isEqualTo(3);
    }

    @Test
    void requestsPresentWhenARolloutStartsBelongToNoneOfIt() {
      Drive d = new Drive(release("reviews"));
      d.abort = "old.1/left-over";
      Decision started = d.decide(null);
      assertThat(started.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(d.decide(null).transitions()).isEmpty();
    }
  }

  @Nested
  class Finalisation {
    static final StableReadiness OLD_IMAGE =
        new StableReadiness(false, false, "reviews-stable runs v1, reviews-canary runs v2");
    static final StableReadiness ROLLING =
        new StableReadiness(true, false, "Deployment reviews-stable's rollout: 1/3 updated");
    static final StableReadiness READY = new StableReadiness(true, true, null);

    @Test
    void waitForStableKeepsTheCanaryUntilTheStableRunsItThenHandsBackInOneWrite() {
      Drive d = promotedWith(release("reviews").finalize(FinalizeMode.WaitForStable, "10m"));
      assertThat(d.reasons).endsWith("PromotedFull", "Finalising");
      assertThat(d.last.weights()).isEqualTo(RouteWeights.ALL_CANARY);

      d.stable = OLD_IMAGE;
      d.at(min(3));
      Decision waiting = d.decide(null);
      assertThat(waiting.state().phase()).isEqualTo(Phase.Finalising);
      assertThat(waiting.weights()).isEqualTo(RouteWeights.ALL_CANARY);
      assertThat(waiting.state().message()).contains("reviews-stable runs v1");
      assertThat(waiting.workload()).as("WaitForStable writes no Deployment").isEmpty();

      d.stable = ROLLING;
      assertThat(d.decide(null).weights()).isEqualTo(RouteWeights.ALL_CANARY);

      d.stable = READY;
      Decision done = d.decide(null);
      assertThat(done.state().phase()).isEqualTo(Phase.Completed);
      assertThat(done.weights()).isEqualTo(RouteWeights.ALL_STABLE);
      assertThat(done.workload()).isEmpty();
      assertThat(done.transitions()).extracting(Transition::reason).containsExactly("Completed");
      assertThat(d.decide(null).weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }

    @Test
    void copyToStableAsksForTheCopyThenScalesTheCanaryDownOnceTheStableServes() {
      Drive d =
          promotedWith(
              release("reviews").finalize(FinalizeMode.CopyToStable, "10m").scaleCanaryToZero());
      assertThat(d.last.workload()).containsExactly(WorkloadEffect.COPY_CANARY_TO_STABLE);
      d.stable = OLD_IMAGE;
      assertThat(d.decide(null).workload()).containsExactly(WorkloadEffect.COPY_CANARY_TO_STABLE);
      d.stable = ROLLING;
      assertThat(d.decide(null).workload()).isEmpty();
      d.stable = READY;
      Decision done = d.decide(null);
      assertThat(done.state().phase()).isEqualTo(Phase.Completed);
      assertThat(done.workload()).containsExactly(WorkloadEffect.SCALE_CANARY_TO_ZERO);
    }

    @Test
    void aStableThatNeverBecomesReadyIsReportedOnceAndTheCanaryKeepsServing() {
      Drive d = promotedWith(release("reviews").finalize(FinalizeMode.WaitForStable, "10m"));
      d.stable = ROLLING;
      d.at(min(5));
      assertThat(d.decide(null).transitions()).isEmpty();
      d.at(min(12));
      Decision late = d.decide(null);
      assertThat(late.state().phase()).isEqualTo(Phase.Finalising);
      assertThat(late.state().reason()).isEqualTo("FinalisationTimedOut");
      assertThat(late.weights()).isEqualTo(RouteWeights.ALL_CANARY);
      assertThat(late.transitions())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.warning()).isTrue();
                assertThat(t.message()).contains("past spec.finalize.timeout (10m)", "1/3");
              });
      d.at(min(20));
      assertThat(d.decide(null).transitions()).isEmpty();
    }

    @Test
    void aNewCanaryRevisionAfterCompletedStartsTheNextRollout() {
      Drive d = promotedWith(release("reviews").finalize(FinalizeMode.WaitForStable, "10m"));
      d.stable = READY;
      d.decide(null);
      assertThat(d.state.phase()).isEqualTo(Phase.Completed);
      d.spec(release("reviews").finalize(FinalizeMode.WaitForStable, "10m").revision("v3"));
      Decision next = d.decide(null);
      assertThat(next.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(next.weights().canary()).isEqualTo(5);
    }
  }

  @Nested
  class NoVerdictLost {
    @Test
    void aFailArrivingWhileTheVirtualServiceIsMissingEndsRolledBackWhenItIsBack() {
      Drive d = atStep(release("reviews"), 3);
      d.problem = GONE;
      d.at(min(5.5));
      Decision whileGone = d.decide(FAIL);
      assertThat(whileGone.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(whileGone.state().analysis().last()).isEqualTo(FAIL);
      // what the VirtualService must carry once it can be written again
      assertThat(whileGone.weights()).isEqualTo(RouteWeights.ALL_STABLE);

      d.problem = null;
      d.at(min(8));
      Decision back = d.decide(null);
      assertThat(back.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(back.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }

    @Test
    void aFailArrivingWhilePausedRollsBack() {
      Drive d = atStep(release("reviews"), 2);
      d.spec(release("reviews").paused(true));
      d.decide(null);
      Decision failed = d.decide(FAIL);
      assertThat(failed.state().phase()).isEqualTo(Phase.RolledBack);
    }
  }

  @Nested
  class HandEdits {
    @Test
    void loweringTheCanaryWeightOutsideTheOperatorIsAnAbort() {
      Drive d = atStep(release("reviews"), 3);
      d.outsideEdit = new Observation.OutsideEdit(RouteWeights.ALL_STABLE, "kubectl-edit (Update)");
      Decision rolledBack = d.decide(null);
      assertThat(rolledBack.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(rolledBack.state().reason()).isEqualTo("CanaryWeightLowered");
      assertThat(rolledBack.state().message())
          .contains("canary weight lowered outside the operator", "from 25% to 0%", "kubectl-edit");
      assertThat(rolledBack.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }

    @Test
    void raisingItIsDriftAndTheStepsWeightIsWrittenAgain() {
      Drive d = atStep(release("reviews"), 3);
      d.outsideEdit = new Observation.OutsideEdit(RouteWeights.canaryAt(60), "argocd-controller");
      Decision kept = d.decide(null);
      assertThat(kept.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(kept.weights().canary()).isEqualTo(25);
    }
  }

  @Nested
  class Deletion {
    @Test
    void midRolloutPutsTheStableBackAndASettledReleaseKeepsItsSplit() {
      Drive d = atStep(release("reviews"), 3);
      assertThat(RolloutStateMachine.onDelete(d.plan, d.state).weights())
          .isEqualTo(RouteWeights.ALL_STABLE);
      Drive promoted = promotedWith(release("reviews"));
      assertThat(RolloutStateMachine.onDelete(promoted.plan, promoted.state).weights()).isNull();
    }

    @Test
    void specOnDeleteOverridesThePhase() {
      Drive keep = atStep(release("reviews").onDelete(OnDelete.Keep), 3);
      assertThat(RolloutStateMachine.onDelete(keep.plan, keep.state).weights()).isNull();
      Drive restore = promotedWith(release("reviews").onDelete(OnDelete.RestoreStable));
      assertThat(RolloutStateMachine.onDelete(restore.plan, restore.state).weights())
          .isEqualTo(RouteWeights.ALL_STABLE);
    }
  }

  @Nested
  class BadSpecs {
    @Test
    void durationsOutOfBoundsAreRefusedNamingTheField() {
      assertThatThrownBy(() -> StepPlan.of(release("r").stepDuration("99999999999999h").spec()))
          .hasMessageContaining("spec.stepDuration")
          .hasMessageContaining("from 1s to 720h");
      assertThatThrownBy(() -> StepPlan.of(release("r").interval("0s").spec()))
          .hasMessageContaining("spec.analysis.interval");
      assertThatThrownBy(
              () -> StepPlan.of(release("r").interval("99999999999999999999999h").spec()))
          .hasMessageContaining("spec.analysis.interval")
          .hasMessageContaining("is not a duration");
    }

    @Test
    void anInvalidSpecFailsARolloutUnderWayButNeverUndoesARollback() {
      Drive progressing = atStep(release("reviews"), 2);
      Decision failed = RolloutStateMachine.invalidSpec(progressing.state, "spec.x: bad");
      assertThat(failed.state().phase()).isEqualTo(Phase.Failed);
      assertThat(failed.weights()).isNull();

      Drive rolledBack = atStep(release("reviews"), 1);
      rolledBack.analyseAt(min(1), FAIL);
      Decision kept = RolloutStateMachine.invalidSpec(rolledBack.state, "spec.x: bad");
      assertThat(kept.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(kept.state().message()).isEqualTo(rolledBack.state.message());
      assertThat(kept.transitions()).extracting(Transition::reason).containsExactly("InvalidSpec");
    }
  }
}
