package dev.canaryoperator.rollout;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Step;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import dev.canaryoperator.testing.Releases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RolloutStateMachineTest {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final AnalysisResult PASS =
      AnalysisResult.pass(
          new Measurement(500.0, 0.0, 100.0),
          new Measurement(9000.0, 0.0, 100.0),
          "canary as good as stable");
  static final AnalysisResult FAIL =
      AnalysisResult.fail(
          new Measurement(500.0, 0.06, 100.0),
          new Measurement(9000.0, 0.01, 100.0),
          "canary 5xx rate 6.0% > 2.0 x stable 1.0%");
  static final AnalysisResult NO_DATA = AnalysisResult.inconclusive("Prometheus unreachable");
  static final AnalysisResult COLLECTING =
      new AnalysisResult(
          Verdict.Collecting,
          new Measurement(40.0, 0.025, 100.0),
          new Measurement(360.0, 0.011, 100.0),
          "collecting evidence: canary 5xx 2.5% vs stable 1.1%: about 900 more canary requests to"
              + " decide",
          List.of());

  /** Drives the pure state machine the way the reconciler does, with a hand-held clock. */
  static final class Drive {
    StepPlan plan;
    CanaryReleaseSpec spec;
    RolloutState state;
    Instant now = T0;
    Decision last;
    String promote;
    String promoteFull;
    String abort;
    String retry;
    TrafficProblem problem;
    Observation.OutsideEdit outsideEdit;
    StableReadiness stable;
    GateAnswer gate;
    final List<String> reasons = new ArrayList<>();

    Drive(Releases release) {
      this.spec = release.spec();
      this.plan = StepPlan.of(spec);
    }

    Observation observation(AnalysisResult result) {
      return new Observation(
          RolloutId.of(spec),
          new Requests(promote, promoteFull, abort, retry),
          problem,
          outsideEdit,
          result,
          null,
          stable,
          gate);
    }

    /** A request value bound to the current rollout and attempt. */
    String request(String unique) {
      return state.rollout().key() + "/" + unique;
    }

    Drive at(Duration sinceStart) {
      now = T0.plus(sinceStart);
      return this;
    }

    Decision decide(AnalysisResult result) {
      last = RolloutStateMachine.decide(plan, state, observation(result), now);
      state = last.state();
      last.transitions().forEach(t -> reasons.add(t.reason()));
      return last;
    }

    boolean due() {
      return RolloutStateMachine.analysisDue(plan, state, observation(null), now);
    }

    /**
     * Runs one analysis at the given time when it is due, the way the reconciler's wake-ups would.
     */
    Decision analyseAt(Duration sinceStart, AnalysisResult result) {
      at(sinceStart);
      assertThat(due()).as("analysis due at %s", sinceStart).isTrue();
      return decide(result);
    }

    void spec(Releases release) {
      this.spec = release.spec();
      this.plan = StepPlan.of(spec);
    }
  }

  static Duration min(double minutes) {
    return Duration.ofMillis((long) (minutes * 60_000));
  }

  @Test
  void aNewReleaseStartsAtTheFirstStepAndWakesUpForTheFirstAnalysis() {
    Drive d = new Drive(release("reviews"));
    Decision decision = d.decide(null);

    assertThat(decision.state().phase()).isEqualTo(Phase.Progressing);
    assertThat(decision.state().step()).isEqualTo(1);
    assertThat(decision.weights()).isEqualTo(new RouteWeights(95, 5));
    assertThat(decision.state().progress().startedAt()).isEqualTo(T0);
    assertThat(decision.wakeUpAfter()).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.reasons).containsExactly("RolloutStarted");
  }

  @Test
  void analysisIsDueExactlyOneIntervalAfterTheStepStartsAndNotBefore() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.at(Duration.ofSeconds(59).plusMillis(999));
    assertThat(d.due()).isFalse();
    d.at(Duration.ofMinutes(1));
    assertThat(d.due()).isTrue();
  }

  @Test
  void advancesExactlyAtTheStepEndWhenEveryAnalysisPassed() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.analyseAt(min(1), PASS);
    assertThat(d.state.step()).isEqualTo(1);
    Decision atEnd = d.analyseAt(min(2), PASS);

    assertThat(atEnd.state().step()).isEqualTo(2);
    assertThat(atEnd.weights()).isEqualTo(new RouteWeights(90, 10));
    assertThat(atEnd.state().progress().startedAt()).isEqualTo(T0.plus(min(2)));
    assertThat(atEnd.state().analysis().passedInStep()).isZero();
    assertThat(d.reasons).containsExactly("RolloutStarted", "StepAdvanced");
  }

  @Test
  void theMessageSaysWhereTheRolloutStandsAtEveryStep() {
    Drive d = new Drive(release("reviews"));
    assertThat(d.decide(null).state().message()).isEqualTo("step 1/5: canary at 5%");
    assertThat(d.analyseAt(min(1), PASS).state().message()).isEqualTo("step 1/5: canary at 5%");
    assertThat(d.analyseAt(min(2), PASS).state().message()).isEqualTo("step 2/5: canary at 10%");
  }

  @Test
  void oneMillisecondBeforeTheStepEndItDoesNotAdvance() {
    Drive d = new Drive(release("reviews").stepDuration("2m").interval("30s"));
    d.decide(null);
    d.analyseAt(min(0.5), PASS);
    d.analyseAt(min(1), PASS);
    d.analyseAt(min(1.5), PASS);
    d.at(min(2).minusMillis(1));
    Decision before = d.decide(null);
    assertThat(before.state().step()).isEqualTo(1);
    assertThat(before.wakeUpAfter()).isEqualTo(Duration.ofMillis(1));

    d.at(min(2));
    assertThat(d.decide(null).state().step())
        .as("the analysis at the step's end has not landed yet")
        .isEqualTo(1);
    assertThat(d.analyseAt(min(2), PASS).state().step()).isEqualTo(2);
  }

  @Test
  void aStepLastsUntilTheFirstAnalysisAfterItsEnd() {
    Drive d = new Drive(release("reviews").stepDuration("30s").interval("1m"));
    d.decide(null);
    d.at(min(0.75));
    assertThat(d.decide(null).state().step()).isEqualTo(1);
    assertThat(d.analyseAt(min(1), PASS).state().step()).isEqualTo(2);
  }

  @Test
  void aStepWithoutAnyPassedAnalysisNeverAdvancesEvenAfterItsDuration() {
    Drive d = new Drive(release("reviews").stepDuration("30s").interval("1m"));
    d.decide(null);
    d.at(min(0.75));
    Decision decision = d.decide(null);
    assertThat(decision.state().step()).isEqualTo(1);
    assertThat(decision.weights().canary()).isEqualTo(5);
  }

  @Nested
  class CollectingEvidence {
    @Test
    void aStepPastItsDurationWaitsForTheEvidenceAndAdvancesOnThePassThatBringsIt() {
      Drive d = new Drive(release("reviews"));
      d.decide(null);
      d.analyseAt(min(1), PASS);
      Decision collecting = d.analyseAt(min(2), COLLECTING);
      assertThat(collecting.state().step()).as("the step's end came without a pass").isEqualTo(1);
      assertThat(collecting.weights().canary()).isEqualTo(5);
      d.analyseAt(min(3), COLLECTING);
      assertThat(d.state.step()).isEqualTo(1);

      Decision passed = d.analyseAt(min(4), PASS);
      assertThat(passed.state().step()).isEqualTo(2);
      assertThat(passed.weights().canary()).isEqualTo(10);
    }

    @Test
    void collectingKeepsTheStepClockSoTheEvidenceGrowsFromTheStepStart() {
      Drive d = new Drive(release("reviews"));
      d.decide(null);
      d.analyseAt(min(1), COLLECTING);
      d.analyseAt(min(2), COLLECTING);
      assertThat(d.state.progress().startedAt())
          .as("unlike Inconclusive, Collecting does not observe the step again from now")
          .isEqualTo(T0);
      assertThat(d.state.analysis().last().verdict()).isEqualTo(Verdict.Collecting);
      assertThat(d.reasons).containsExactly("RolloutStarted");
    }

    @Test
    void collectingIsNotNoDataSoOnNoDataRollbackDoesNotRollBack() {
      Drive d = new Drive(release("reviews").onNoData(OnNoData.Rollback));
      d.decide(null);
      Decision decision = d.analyseAt(min(1), COLLECTING);
      assertThat(decision.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(decision.weights().canary()).isEqualTo(5);
    }

    @Test
    void aFailAfterCollectingRollsBackWithItsReason() {
      Drive d = new Drive(release("reviews"));
      d.decide(null);
      d.analyseAt(min(1), COLLECTING);
      Decision failed = d.analyseAt(min(2), FAIL);
      assertThat(failed.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(failed.weights()).isEqualTo(RouteWeights.ALL_STABLE);
      assertThat(failed.state().message()).isEqualTo(FAIL.reason());
    }
  }

  @Test
  void aHealthyCanaryWalksEveryStepAndIsPromoted() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    List<Integer> canaryWeights = new ArrayList<>(List.of(d.last.weights().canary()));
    double t = 0;
    while (d.state.phase() == Phase.Progressing) {
      t += 1;
      Decision decision = d.analyseAt(min(t), PASS);
      if (!decision.transitions().isEmpty()) {
        canaryWeights.add(decision.weights().canary());
      }
    }

    assertThat(canaryWeights).containsExactly(5, 10, 25, 50, 100, 100);
    assertThat(d.state.phase()).isEqualTo(Phase.Promoted);
    assertThat(d.last.weights()).isEqualTo(RouteWeights.ALL_CANARY);
    assertThat(d.reasons)
        .containsExactly(
            "RolloutStarted",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "Promoted");
    assertThat(t).isEqualTo(10);
  }

  @Test
  void aFailedAnalysisRollsBackAtOnceToCanaryZeroWithTheMeasuredReason() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.analyseAt(min(1), PASS);
    d.analyseAt(min(2), PASS);
    Decision rollback = d.analyseAt(min(3), FAIL);

    assertThat(rollback.state().phase()).isEqualTo(Phase.RolledBack);
    assertThat(rollback.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    assertThat(rollback.state().message()).contains("6.0% > 2.0 x stable 1.0%");
    assertThat(rollback.transitions())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.reason()).isEqualTo("RolledBack");
              assertThat(t.warning()).isTrue();
            });
  }

  @Test
  void belowTheFailureLimitAFailureRestartsTheStepAndOnlyConsecutiveFailuresRollBack() {
    Drive d = new Drive(release("reviews").failureLimit(2));
    d.decide(null);
    Decision first = d.analyseAt(min(1), FAIL);
    assertThat(first.state().phase()).isEqualTo(Phase.Progressing);
    assertThat(first.state().analysis().consecutiveFailures()).isEqualTo(1);
    assertThat(first.state().progress().startedAt()).isEqualTo(T0.plus(min(1)));

    d.analyseAt(min(2), PASS);
    assertThat(d.state.analysis().consecutiveFailures()).isZero();
    // Step restarted at 1m with 2m duration: 2m is too early to advance.
    assertThat(d.state.step()).isEqualTo(1);
    d.analyseAt(min(3), FAIL);
    assertThat(d.state.phase()).isEqualTo(Phase.Progressing);
    Decision second = d.analyseAt(min(4), FAIL);
    assertThat(second.state().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.reasons).containsSubsequence("AnalysisFailed", "AnalysisFailed", "RolledBack");
  }

  @Test
  void inconclusiveHoldsTheStepAndObservesItAgainInFull() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.analyseAt(min(1), PASS);
    Decision held = d.analyseAt(min(2), NO_DATA);

    assertThat(held.state().phase()).isEqualTo(Phase.Progressing);
    assertThat(held.state().step()).isEqualTo(1);
    assertThat(held.weights().canary()).isEqualTo(5);
    assertThat(held.state().progress().startedAt()).isEqualTo(T0.plus(min(2)));
    for (int t = 3; t <= 10; t++) {
      d.analyseAt(min(t), NO_DATA);
    }
    assertThat(d.state.step()).as("never advances on inconclusive").isEqualTo(1);
    d.analyseAt(min(11), PASS);
    assertThat(d.state.step()).isEqualTo(1);
    d.analyseAt(min(12), PASS);
    assertThat(d.state.step()).isEqualTo(2);
  }

  @Test
  void aLongOutageReportsTheTurnToInconclusiveOnceNotEveryRound() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    for (int t = 1; t <= 30; t++) {
      d.analyseAt(min(t), NO_DATA);
    }
    assertThat(d.reasons).containsExactly("RolloutStarted", "AnalysisInconclusive");
    d.analyseAt(min(31), PASS);
    d.analyseAt(min(32), NO_DATA);
    assertThat(d.reasons)
        .containsExactly("RolloutStarted", "AnalysisInconclusive", "AnalysisInconclusive");
  }

  @Test
  void theNextAnalysisIsDueAnIntervalAfterTheLastOneQueriedNotAfterItsResultArrived() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.at(min(1).plusSeconds(3));
    Decision late =
        RolloutStateMachine.decide(
            d.plan, d.state, d.observation(null).withAnalysis(PASS, T0.plus(min(1))), d.now);
    assertThat(late.state().analysis().lastAt()).isEqualTo(T0.plus(min(1)));
    assertThat(late.wakeUpAfter()).isEqualTo(Duration.ofSeconds(57));
  }

  @Test
  void inconclusiveRollsBackWhenOnNoDataSaysSo() {
    Drive d = new Drive(release("reviews").onNoData(OnNoData.Rollback));
    d.decide(null);
    Decision decision = d.analyseAt(min(1), NO_DATA);
    assertThat(decision.state().phase()).isEqualTo(Phase.RolledBack);
    assertThat(decision.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    // the reason once, not repeated: "Prometheus unreachable Prometheus unreachable"
    assertThat(decision.state().message()).isEqualTo(NO_DATA.reason());
    assertThat(decision.transitions())
        .singleElement()
        .satisfies(
            t -> assertThat(t.message()).isEqualTo("canary weight set to 0: " + NO_DATA.reason()));
  }

  @Nested
  class ManualPromotion {
    Drive atLastStep(String promoteAnnotation) {
      Drive d = new Drive(release("reviews").steps(50, 100).manualPromotion());
      d.promote = promoteAnnotation;
      d.decide(null);
      d.analyseAt(min(1), PASS);
      d.analyseAt(min(2), PASS);
      d.analyseAt(min(3), PASS);
      d.analyseAt(min(4), PASS);
      return d;
    }

    @Test
    void waitsAtTheLastStepAndKeepsAnalysing() {
      Drive d = atLastStep(null);
      assertThat(d.state.phase()).isEqualTo(Phase.Paused);
      assertThat(d.state.progress().awaitingPromotion()).isTrue();
      assertThat(d.last.weights()).isEqualTo(RouteWeights.ALL_CANARY);
      d.analyseAt(min(5), PASS);
      d.analyseAt(min(60), PASS);
      assertThat(d.state.phase()).isEqualTo(Phase.Paused);
      assertThat(d.reasons).endsWith("AwaitingPromotion");
    }

    @Test
    void aPromoteRequestMadeBeforeTheWaitDoesNotCountButANewOneDoes() {
      Drive d = atLastStep("early");
      d.at(min(5));
      assertThat(d.decide(null).state().phase()).isEqualTo(Phase.Paused);

      d.promote = d.request("now");
      Decision promoted = d.decide(null);
      assertThat(promoted.state().phase()).isEqualTo(Phase.Promoted);
      assertThat(promoted.weights()).isEqualTo(RouteWeights.ALL_CANARY);
    }

    @Test
    void aFailureWhileWaitingStillRollsBack() {
      Drive d = atLastStep(null);
      Decision decision = d.analyseAt(min(5), FAIL);
      assertThat(decision.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(decision.weights()).isEqualTo(RouteWeights.ALL_STABLE);
    }
  }

  @Nested
  class AfterTheEnd {
    Drive rolledBack() {
      Drive d = new Drive(release("reviews"));
      d.decide(null);
      d.analyseAt(min(1), FAIL);
      return d;
    }

    @Test
    void nothingMovesAfterARollbackUntilTheIdentityChanges() {
      Drive d = rolledBack();
      d.at(min(30));
      assertThat(d.due()).isFalse();
      Decision later = d.decide(null);
      assertThat(later.state().phase()).isEqualTo(Phase.RolledBack);
      assertThat(later.weights()).isEqualTo(RouteWeights.ALL_STABLE);
      assertThat(later.transitions()).isEmpty();

      d.spec(release("reviews").revision("2.4.2"));
      Decision fresh = d.decide(null);
      assertThat(fresh.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(fresh.state().step()).isEqualTo(1);
      assertThat(fresh.weights().canary()).isEqualTo(5);
      assertThat(fresh.transitions()).extracting(Transition::reason).containsExactly("NewRollout");
    }

    @Test
    void aRetryRequestRestartsARolledBackRelease() {
      Drive d = rolledBack();
      d.at(min(5));
      d.retry = d.request("1");
      Decision retried = d.decide(null);
      assertThat(retried.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(retried.state().progress().startedAt()).isEqualTo(T0.plus(min(5)));
      assertThat(retried.transitions())
          .extracting(Transition::reason)
          .containsExactly("RetryRequested");
      // The same request value does not restart it again after a second rollback.
      d.analyseAt(min(6), FAIL);
      d.at(min(7));
      assertThat(d.decide(null).state().phase()).isEqualTo(Phase.RolledBack);
    }

    @Test
    void aPromotedReleaseStartsOverWhenANewCanaryIsNamed() {
      Drive d = new Drive(release("reviews").steps(100).stepDuration("1m"));
      d.decide(null);
      d.analyseAt(min(1), PASS);
      assertThat(d.state.phase()).isEqualTo(Phase.Promoted);

      d.spec(
          release("reviews")
              .steps(100)
              .stepDuration("1m")
              .stable("reviews-canary", null)
              .canary("reviews-next", null));
      d.at(min(2));
      Decision next = d.decide(null);
      assertThat(next.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(next.weights().canary()).isEqualTo(100);
      assertThat(next.state().rollout().id()).isNotEqualTo(RolloutId.of(release("reviews").spec()));
    }
  }

  @Test
  void editingStepsAndThresholdsAppliesToTheRolloutInFlightWithoutRestartingIt() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.analyseAt(min(1), PASS);
    d.analyseAt(min(2), PASS);
    assertThat(d.state.step()).isEqualTo(2);
    String id = d.state.rollout().id();

    Releases edited = release("reviews").steps(5, 20, 40, 100).failureLimit(3);
    edited.spec().getSteps().set(1, new Step(20, "10m"));
    d.spec(edited);
    d.at(min(2.5));
    Decision decision = d.decide(null);
    assertThat(decision.state().rollout().id()).isEqualTo(id);
    assertThat(decision.state().step()).isEqualTo(2);
    assertThat(decision.weights().canary()).isEqualTo(20);
    assertThat(decision.transitions()).isEmpty();
    d.analyseAt(min(3), PASS);
    d.analyseAt(min(4), PASS);
    assertThat(d.state.step()).as("the edited step lasts 10m").isEqualTo(2);
  }

  @Test
  void pausingHoldsTheWeightsAndResumingObservesTheStepAgain() {
    Drive d = new Drive(release("reviews"));
    d.decide(null);
    d.analyseAt(min(1), PASS);
    d.spec(release("reviews").paused(true));
    d.at(min(1.5));
    Decision paused = d.decide(null);
    assertThat(paused.state().phase()).isEqualTo(Phase.Paused);
    assertThat(paused.weights().canary()).isEqualTo(5);
    d.at(min(20));
    assertThat(d.due()).isFalse();
    assertThat(d.decide(null).state().step()).isEqualTo(1);

    d.spec(release("reviews").paused(false));
    Decision resumed = d.decide(null);
    assertThat(resumed.state().phase()).isEqualTo(Phase.Progressing);
    assertThat(resumed.state().progress().startedAt()).isEqualTo(T0.plus(min(20)));
    assertThat(d.reasons).containsSubsequence("Paused", "Resumed");
  }

  @Nested
  class TrafficProblems {
    @Test
    void aMissingVirtualServiceKeepsANewReleasePendingAndWritesNothing() {
      Drive d = new Drive(release("reviews"));
      d.problem =
          new TrafficProblem(
              TrafficProblem.Kind.VirtualServiceNotFound,
              "VirtualService bookinfo/reviews not found");
      Decision decision = d.decide(null);
      assertThat(decision.state().phase()).isEqualTo(Phase.Pending);
      assertThat(decision.weights()).isNull();
      assertThat(decision.state().message()).contains("not found");
      assertThat(d.due()).isFalse();

      d.problem = null;
      d.at(min(1));
      Decision started = d.decide(null);
      assertThat(started.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(started.state().progress().startedAt()).isEqualTo(T0.plus(min(1)));
    }

    @Test
    void aRouteWithoutTheStableHostFailsTheRelease() {
      Drive d = new Drive(release("reviews"));
      d.problem =
          new TrafficProblem(
              TrafficProblem.Kind.NoStableRoute,
              "no http route has a destination for the stable reviews-stable");
      Decision decision = d.decide(null);
      assertThat(decision.state().phase()).isEqualTo(Phase.Failed);
      assertThat(decision.weights()).isNull();
      assertThat(decision.transitions())
          .extracting(Transition::reason)
          .containsExactly("NoStableRoute");
    }

    @Test
    void aVirtualServiceLostMidRolloutHoldsTheStepAndResumesWithAFullObservation() {
      Drive d = new Drive(release("reviews"));
      d.decide(null);
      d.analyseAt(min(1), PASS);
      d.analyseAt(min(2), PASS);
      d.problem = new TrafficProblem(TrafficProblem.Kind.VirtualServiceNotFound, "gone");
      d.at(min(3));
      assertThat(d.due()).isFalse();
      Decision lost = d.decide(null);
      assertThat(lost.state().phase()).isEqualTo(Phase.Pending);
      assertThat(lost.state().step()).isEqualTo(2);
      assertThat(lost.weights()).isNull();

      d.problem = null;
      d.at(min(10));
      Decision back = d.decide(null);
      assertThat(back.state().phase()).isEqualTo(Phase.Progressing);
      assertThat(back.state().step()).isEqualTo(2);
      assertThat(back.state().progress().startedAt()).isEqualTo(T0.plus(min(10)));
      assertThat(back.weights().canary()).isEqualTo(10);
    }
  }

  @Test
  void aStateWrittenByAnEarlierProcessContinuesAtTheSameStepAndStepStart() {
    CanaryReleaseSpec spec = release("reviews").spec();
    Instant stepStart = T0.plus(min(4));
    RolloutState persisted =
        new RolloutState(
            Phase.Progressing,
            RolloutRef.first(RolloutId.of(spec)),
            null,
            null,
            new StepProgress(3, stepStart, stepStart, false),
            new AnalysisRecord(1, 0, T0.plus(min(5)), PASS),
            Requests.NONE,
            null);

    Decision early =
        RolloutStateMachine.decide(
            StepPlan.of(spec), persisted, Observation.of(RolloutId.of(spec)), T0.plus(min(5.5)));
    assertThat(early.state().step()).isEqualTo(3);
    assertThat(early.state().progress().startedAt()).isEqualTo(stepStart);
    assertThat(early.weights().canary()).isEqualTo(25);
    assertThat(early.transitions()).isEmpty();
    assertThat(early.wakeUpAfter()).isEqualTo(Duration.ofSeconds(30));

    Decision atEnd =
        RolloutStateMachine.decide(
            StepPlan.of(spec),
            early.state(),
            Observation.of(RolloutId.of(spec)).withAnalysis(PASS),
            T0.plus(min(6)));
    assertThat(atEnd.state().step()).isEqualTo(4);
    assertThat(atEnd.weights().canary()).isEqualTo(50);
  }

  @Test
  void rolloutIdentityIgnoresStepsAndThresholdsButNotTheDestinationsOrRevision() {
    String base = RolloutId.of(release("r").spec());
    assertThat(RolloutId.of(release("r").steps(1, 2, 3).failureLimit(4).spec())).isEqualTo(base);
    assertThat(RolloutId.of(release("r").revision("2").spec())).isNotEqualTo(base);
    assertThat(RolloutId.of(release("r").canary("reviews-canary", "v3").spec())).isNotEqualTo(base);
    assertThat(RolloutId.of(release("r").stable("reviews", null).spec())).isNotEqualTo(base);
  }
}
