package dev.canaryoperator.rollout;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.Gate;
import dev.canaryoperator.api.Gates;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.rollout.RolloutStateMachineTest.Drive;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.testing.Releases;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Gates in the pure state machine: only an open answer to the very question moves a release. */
class GateDecisionsTest {
  private static final AnalysisResult PASS =
      AnalysisResult.pass(Measurement.UNKNOWN, Measurement.UNKNOWN, "fine");

  private static Drive drive(Consumer<Gates> configure) {
    Releases release = release("reviews").steps(10, 50).stepDuration("1m").interval("1m");
    Gates gates = new Gates();
    configure.accept(gates);
    release.spec().setGates(gates);
    return new Drive(release);
  }

  /** Step 1 started at T0, passed at 1m; complete once its minute is over. */
  private static Drive atEndOfStepOne(Consumer<Gates> configure) {
    Drive d = drive(configure);
    d.decide(null);
    d.analyseAt(Duration.ofMinutes(1), PASS);
    return d;
  }

  @Test
  void withoutAnOpenAnswerTheStepIsHeldAndTheStatusNamesTheGate() {
    Drive d = atEndOfStepOne(g -> g.setConfirmTrafficIncrease(new Gate("http://gate")));
    GateRequest wanted =
        RolloutStateMachine.pendingGate(d.plan, d.state, RolloutId.of(d.spec), d.now).orElseThrow();
    assertThat(wanted.kind()).isEqualTo(GateKind.ConfirmTrafficIncrease);
    assertThat(wanted.step()).isEqualTo(2);

    d.gate = new GateAnswer(wanted.rolloutKey(), wanted.kind(), 2, false, "HTTP 403");
    Decision held = d.decide(null);

    assertThat(held.state().step()).isEqualTo(1);
    assertThat(held.weights()).isEqualTo(RouteWeights.canaryAt(10));
    assertThat(held.state().message())
        .isEqualTo(
            "held by the confirm-traffic-increase gate before step 2 (50%): it answered HTTP 403");
    assertThat(d.reasons).endsWith("GateClosed");
    // the same answer again: no second event
    long events = d.reasons.stream().filter("GateClosed"::equals).count();
    d.decide(null);
    assertThat(d.reasons.stream().filter("GateClosed"::equals)).hasSize((int) events);

    d.gate = new GateAnswer(wanted.rolloutKey(), wanted.kind(), 2, true, "HTTP 200");
    Decision moved = d.decide(null);
    assertThat(moved.state().step()).isEqualTo(2);
    assertThat(moved.weights()).isEqualTo(RouteWeights.canaryAt(50));
    assertThat(moved.state().reason()).isNotEqualTo("GateClosed");
  }

  @Test
  void anOpenAnswerToAnotherQuestionOpensNothing() {
    Drive d = atEndOfStepOne(g -> g.setConfirmTrafficIncrease(new Gate("http://gate")));
    GateRequest wanted =
        RolloutStateMachine.pendingGate(d.plan, d.state, RolloutId.of(d.spec), d.now).orElseThrow();

    d.gate = new GateAnswer(wanted.rolloutKey(), wanted.kind(), 3, true, "HTTP 200");

    assertThat(d.decide(null).state().step()).isEqualTo(1);
  }

  @Test
  void aFailWhileHeldStillRollsBack() {
    Drive d = atEndOfStepOne(g -> g.setConfirmTrafficIncrease(new Gate("http://gate")));
    d.decide(null);

    Decision failed =
        d.analyseAt(
            Duration.ofMinutes(2),
            AnalysisResult.fail(Measurement.UNKNOWN, Measurement.UNKNOWN, "canary worse"));

    assertThat(failed.state().phase()).isEqualTo(Phase.RolledBack);
    assertThat(failed.weights()).isEqualTo(RouteWeights.ALL_STABLE);
  }

  @Test
  void confirmRolloutKeepsTheReleasePendingWithNoTrafficUntilItSaysYes() {
    Drive d = drive(g -> g.setConfirmRollout(new Gate("http://gate")));
    GateRequest wanted =
        RolloutStateMachine.pendingGate(d.plan, d.state, RolloutId.of(d.spec), d.now).orElseThrow();
    assertThat(wanted.kind()).isEqualTo(GateKind.ConfirmRollout);

    Decision waiting = d.decide(null);
    assertThat(waiting.state().phase()).isEqualTo(Phase.Pending);
    assertThat(waiting.weights()).as("no VirtualService write").isNull();

    d.gate = new GateAnswer(wanted.rolloutKey(), wanted.kind(), 1, true, "HTTP 204");
    Decision started = d.decide(null);
    assertThat(started.state().phase()).isEqualTo(Phase.Progressing);
    assertThat(started.weights()).isEqualTo(RouteWeights.canaryAt(10));
  }

  @Test
  void confirmPromotionHoldsTheLastStep() {
    Drive d = drive(g -> g.setConfirmPromotion(new Gate("http://gate")));
    d.decide(null);
    d.analyseAt(Duration.ofMinutes(1), PASS);
    d.at(Duration.ofMinutes(1)).decide(null);
    d.analyseAt(Duration.ofMinutes(2), PASS);
    assertThat(d.state.step()).isEqualTo(2);
    // the last step passed at 2m: the promotion waits for its gate
    d.at(Duration.ofMinutes(3));
    GateRequest wanted =
        RolloutStateMachine.pendingGate(d.plan, d.state, RolloutId.of(d.spec), d.now).orElseThrow();
    assertThat(wanted.kind()).isEqualTo(GateKind.ConfirmPromotion);

    assertThat(d.decide(null).state().phase()).isNotEqualTo(Phase.Promoted);
    d.gate = new GateAnswer(wanted.rolloutKey(), wanted.kind(), wanted.step(), true, "HTTP 200");
    assertThat(d.decide(null).state().phase()).isEqualTo(Phase.Promoted);
  }
}
