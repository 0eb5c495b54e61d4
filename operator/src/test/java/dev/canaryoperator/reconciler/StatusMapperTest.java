package dev.canaryoperator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.CheckResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.rollout.AnalysisRecord;
import dev.canaryoperator.rollout.Requests;
import dev.canaryoperator.rollout.RolloutRef;
import dev.canaryoperator.rollout.RolloutState;
import dev.canaryoperator.rollout.StepProgress;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusMapperTest {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final AnalysisResult PASS =
      AnalysisResult.pass(
          new Measurement(500.0, 0.002, 120.0),
          new Measurement(9000.0, 0.001, 118.0),
          "canary within thresholds");

  static RolloutState progressing(int step) {
    return new RolloutState(
        Phase.Progressing,
        new RolloutRef("abc123", 1),
        null,
        null,
        new StepProgress(step, T0, T0, false),
        new AnalysisRecord(2, 0, T0.plusSeconds(60), PASS),
        new Requests("abc123.1/p1", null, null, "abc123.1/r1"),
        null);
  }

  static Condition condition(CanaryReleaseStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void everythingNeededToContinueSurvivesTheRoundTripThroughStatus() {
    RolloutState state =
        new RolloutState(
            Phase.Paused,
            new RolloutRef("abc123", 2),
            "AwaitingPromotion",
            "waiting for promotion",
            new StepProgress(5, T0, T0.minusSeconds(30), true),
            new AnalysisRecord(3, 1, T0.plusSeconds(90), PASS),
            new Requests("abc123.2/p1", "abc123.1/f", "abc123.1/a stop", "abc123.1/r1"),
            T0.plusSeconds(5));
    CanaryReleaseStatus status =
        StatusMapper.toStatus(
            state, RouteWeights.ALL_CANARY, null, List.of(), null, 7, T0.plusSeconds(91));

    RolloutState back = StatusMapper.toState(status);
    assertThat(back).usingRecursiveComparison().isEqualTo(state);
    assertThat(status.getObservedGeneration()).isEqualTo(7);
    assertThat(status.getCanaryWeight()).isEqualTo(100);
    assertThat(status.getStableWeight()).isZero();
    assertThat(status.getLastAnalysis().getCanary().getLatencyMs()).isEqualTo(120.0);
  }

  @Test
  void customCheckResultsAreShownPerCheckAndSurviveTheRoundTrip() {
    AnalysisResult withChecks =
        new AnalysisResult(
            Verdict.Fail,
            new Measurement(500.0, 0.002, 120.0),
            new Measurement(9000.0, 0.001, 118.0),
            "checkout-success: canary 0.81 < min 0.95",
            List.of(
                new CheckResult(
                    "checkout-success", Verdict.Fail, 0.81, null, "canary 0.81 < min 0.95"),
                new CheckResult(
                    "cart-latency", Verdict.Pass, 210.0, 200.0, "canary 210 <= 1.5 x stable 200")));
    RolloutState state =
        new RolloutState(
            Phase.RolledBack,
            RolloutRef.first("abc123"),
            "AnalysisFailed",
            "checkout-success: canary 0.81 < min 0.95",
            new StepProgress(2, T0, T0, false),
            new AnalysisRecord(0, 1, T0.plusSeconds(60), withChecks),
            Requests.NONE,
            null);
    CanaryReleaseStatus status =
        StatusMapper.toStatus(
            state, RouteWeights.ALL_STABLE, null, List.of(), null, 1, T0.plusSeconds(61));

    assertThat(status.getLastAnalysis().getChecks())
        .extracting(c -> c.getName() + "=" + c.getVerdict())
        .containsExactly("checkout-success=Fail", "cart-latency=Pass");
    assertThat(status.getLastAnalysis().getChecks().get(1).getStable()).isEqualTo(200.0);
    assertThat(StatusMapper.toState(status).analysis().last().checks())
        .isEqualTo(withChecks.checks());
  }

  @Test
  void conditionsFollowThePhaseAndKeepTheirTransitionTimeWhileUnchanged() {
    CanaryReleaseStatus first =
        StatusMapper.toStatus(
            progressing(1), RouteWeights.canaryAt(5), null, List.of(), null, 1, T0);
    CanaryReleaseStatus later =
        StatusMapper.toStatus(
            progressing(2),
            RouteWeights.canaryAt(10),
            first,
            List.of(),
            null,
            1,
            T0.plusSeconds(120));
    assertThat(condition(later, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(later, "Progressing").getLastTransitionTime()).isEqualTo(T0.toString());
    assertThat(condition(later, "Promoted").getStatus()).isEqualTo("False");

    RolloutState promoted =
        progressing(5)
            .withPhase(Phase.Promoted, "Promoted", "promoted: every step passed its analysis");
    CanaryReleaseStatus done =
        StatusMapper.toStatus(
            promoted, RouteWeights.ALL_CANARY, later, List.of(), null, 1, T0.plusSeconds(600));
    assertThat(condition(done, "Promoted").getStatus()).isEqualTo("True");
    assertThat(condition(done, "Promoted").getLastTransitionTime())
        .isEqualTo(T0.plusSeconds(600).toString());
    assertThat(condition(done, "Progressing").getStatus()).isEqualTo("False");
  }

  @Test
  void aTrafficProblemMakesReadyFalseWithItsReasonAndKeepsTheLastWeights() {
    CanaryReleaseStatus before =
        StatusMapper.toStatus(
            progressing(2), RouteWeights.canaryAt(10), null, List.of(), null, 1, T0);
    TrafficProblem problem =
        new TrafficProblem(
            TrafficProblem.Kind.VirtualServiceNotFound, "VirtualService shop/reviews not found");
    CanaryReleaseStatus status =
        StatusMapper.toStatus(
            progressing(2).withPhase(Phase.Pending, problem.kind().name(), problem.message()),
            null,
            before,
            List.of(Transition.warning("VirtualServiceNotFound", problem.message())),
            problem,
            1,
            T0.plusSeconds(5));
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("VirtualServiceNotFound");
    assertThat(status.getCanaryWeight()).isEqualTo(10);
  }

  @Test
  void historyIsBoundedAndKeepsTheNewestEntries() {
    CanaryReleaseStatus status = null;
    for (int i = 0; i < 30; i++) {
      status =
          StatusMapper.toStatus(
              progressing(1),
              RouteWeights.canaryAt(5),
              status,
              List.of(Transition.normal("Step" + i, "transition " + i)),
              null,
              1,
              T0.plusSeconds(i));
    }
    assertThat(status.getHistory()).hasSize(StatusMapper.HISTORY_LIMIT);
    assertThat(status.getHistory().get(0).getReason()).isEqualTo("Step10");
    assertThat(status.getHistory().get(StatusMapper.HISTORY_LIMIT - 1).getReason())
        .isEqualTo("Step29");
    assertThat(new ArrayList<>(status.getHistory()))
        .allSatisfy(h -> assertThat(h.getCanaryWeight()).isEqualTo(5));
  }
}
