package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rollout as a pure function of (plan, state, observation, now): no client, no clock, no I/O.
 * Safety rules: a step advances only when its duration has passed and every analysis in it passed;
 * anything inconclusive holds (or rolls back, per onNoData); failures roll back to canary 0.
 */
public final class RolloutStateMachine {
  /**
   * Promoted and rolled-back releases are re-checked this often, so drifted weights get corrected.
   */
  static final Duration SETTLED_RECHECK = Duration.ofMinutes(5);

  private RolloutStateMachine() {}

  /** Whether an analysis should run now, so the shell only queries Prometheus when it matters. */
  public static boolean analysisDue(
      StepPlan plan, RolloutState state, Observation observation, Instant now) {
    return analysing(plan, state, observation) && !now.isBefore(nextAnalysisAt(plan, state));
  }

  public static Decision decide(
      StepPlan plan, RolloutState state, Observation observation, Instant now) {
    List<Transition> transitions = new ArrayList<>();
    RolloutState next = state;
    if (next == null
        || next.rolloutId() == null
        || !Objects.equals(next.rolloutId(), observation.rolloutId())) {
      if (observation.trafficProblem() != null) {
        RolloutState waiting =
            new RolloutState(
                phaseFor(observation.trafficProblem()),
                null,
                0,
                null,
                0,
                0,
                false,
                null,
                null,
                null,
                null,
                observation.trafficProblem().message(),
                null);
        if (state == null || state.phase() != waiting.phase()) {
          transitions.add(
              Transition.warning(
                  observation.trafficProblem().kind().name(),
                  observation.trafficProblem().message()));
        }
        return new Decision(waiting, null, transitions, null);
      }
      boolean restart = next != null && next.rolloutId() != null;
      next = start(plan, observation, now);
      transitions.add(
          Transition.normal(
              restart ? "NewRollout" : "RolloutStarted",
              "rollout "
                  + observation.rolloutId()
                  + " started: canary at "
                  + plan.step(1).weight()
                  + "%"));
      return finish(plan, next, transitions, now);
    }

    if (observation.trafficProblem() != null) {
      Phase phase = phaseFor(observation.trafficProblem());
      if (next.phase() == Phase.Promoted || next.phase() == Phase.RolledBack) {
        return new Decision(
            next.withPhase(next.phase(), observation.trafficProblem().message()),
            null,
            transitions,
            null);
      }
      if (next.phase() != phase) {
        transitions.add(
            Transition.warning(
                observation.trafficProblem().kind().name(),
                observation.trafficProblem().message()));
      }
      return new Decision(
          next.withPhase(phase, observation.trafficProblem().message()), null, transitions, null);
    }

    switch (next.phase()) {
      case Promoted -> {
        return new Decision(next, RouteWeights.ALL_CANARY, transitions, SETTLED_RECHECK);
      }
      case RolledBack -> {
        if (observation.retryRequest() != null
            && !observation.retryRequest().equals(next.acknowledgedRetry())) {
          next = start(plan, observation, now);
          transitions.add(
              Transition.normal(
                  "RetryRequested",
                  "retry requested: rollout restarted, canary at " + plan.step(1).weight() + "%"));
          return finish(plan, next, transitions, now);
        }
        return new Decision(next, RouteWeights.ALL_STABLE, transitions, SETTLED_RECHECK);
      }
      case Pending, Failed -> {
        // The VirtualService came back: resume, but observe the whole step again.
        next = next.withPhase(Phase.Progressing, null).restartStepClock(now);
        transitions.add(
            Transition.normal(
                "Resumed",
                "VirtualService usable again: step " + next.step() + " observed from now"));
      }
      default -> {}
    }

    if (plan.paused()) {
      if (next.phase() != Phase.Paused || next.awaitingPromotion()) {
        transitions.add(
            Transition.normal(
                "Paused", "spec.paused is true: holding at " + weightAt(plan, next) + "%"));
      }
      return new Decision(
          next.awaitingPromotion(false, next.acknowledgedPromote())
              .withPhase(Phase.Paused, "paused by spec.paused"),
          RouteWeights.canaryAt(weightAt(plan, next)),
          transitions,
          null);
    }
    if (next.phase() == Phase.Paused && !next.awaitingPromotion()) {
      next = next.withPhase(Phase.Progressing, null).restartStepClock(now);
      transitions.add(
          Transition.normal(
              "Resumed", "spec.paused cleared: step " + next.step() + " observed from now"));
    }

    if (observation.analysis() != null) {
      Instant measuredAt =
          observation.analysisAt() == null || observation.analysisAt().isAfter(now)
              ? now
              : observation.analysisAt();
      next = record(plan, next, observation.analysis(), measuredAt, now, transitions);
      if (next.phase() == Phase.RolledBack) {
        return new Decision(next, RouteWeights.ALL_STABLE, transitions, SETTLED_RECHECK);
      }
    }

    if (next.awaitingPromotion()) {
      if (plan.promotion() == Promotion.Automatic
          || (observation.promoteRequest() != null
              && !observation.promoteRequest().equals(next.acknowledgedPromote()))) {
        return promote(
            next.awaitingPromotion(false, observation.promoteRequest()),
            transitions,
            plan.promotion() == Promotion.Automatic
                ? "promotion switched to Automatic"
                : "promoted on request");
      }
      return finish(plan, next, transitions, now);
    }

    if (stepComplete(plan, next, now)) {
      if (next.step() < plan.size()) {
        next = next.atStep(next.step() + 1, now);
        transitions.add(
            Transition.normal(
                "StepAdvanced",
                "step "
                    + next.step()
                    + "/"
                    + plan.size()
                    + ": canary at "
                    + plan.step(next.step()).weight()
                    + "%"));
      } else if (plan.promotion() == Promotion.Automatic) {
        return promote(next, transitions, "every step passed its analysis");
      } else {
        next =
            next.awaitingPromotion(true, observation.promoteRequest())
                .withPhase(
                    Phase.Paused,
                    "waiting for promotion: set annotation "
                        + dev.canaryoperator.api.CanaryRelease.PROMOTE_ANNOTATION
                        + " to a new value");
        transitions.add(
            Transition.normal(
                "AwaitingPromotion", "last step passed; waiting for a manual promotion"));
      }
    }
    return finish(plan, next, transitions, now);
  }

  private static RolloutState start(StepPlan plan, Observation observation, Instant now) {
    return new RolloutState(
        Phase.Progressing,
        observation.rolloutId(),
        1,
        now,
        0,
        0,
        false,
        null,
        null,
        observation.promoteRequest(),
        observation.retryRequest(),
        null,
        now);
  }

  /**
   * @param measuredAt when the analysis queried: the next one is due an interval after it, so the
   *     time the result took to arrive does not stretch the interval
   */
  private static RolloutState record(
      StepPlan plan,
      RolloutState state,
      AnalysisResult result,
      Instant measuredAt,
      Instant now,
      List<Transition> transitions) {
    boolean failed =
        result.verdict() == Verdict.Fail
            || (result.verdict() == Verdict.Inconclusive && plan.onNoData() == OnNoData.Rollback);
    if (result.verdict() == Verdict.Pass) {
      return state.withAnalysis(result, measuredAt, state.stepAnalysesPassed() + 1, 0);
    }
    if (!failed) {
      // Inconclusive under Hold: the step must be observed again in full before it may advance.
      // Only the turn to inconclusive is news; a long outage must not wash the history away.
      if (state.lastAnalysis() == null || state.lastAnalysis().verdict() != Verdict.Inconclusive) {
        transitions.add(Transition.warning("AnalysisInconclusive", result.reason()));
      }
      return state
          .withAnalysis(result, measuredAt, 0, state.consecutiveFailures())
          .restartStepClock(now);
    }
    int failures = state.consecutiveFailures() + 1;
    RolloutState counted =
        state.withAnalysis(result, measuredAt, 0, failures).restartStepClock(now);
    if (failures >= plan.failureLimit()) {
      transitions.add(
          Transition.warning("RolledBack", "canary weight set to 0: " + result.reason()));
      return counted
          .awaitingPromotion(false, state.acknowledgedPromote())
          .withPhase(Phase.RolledBack, result.reason());
    }
    transitions.add(
        Transition.warning(
            "AnalysisFailed",
            result.reason()
                + " ("
                + failures
                + " of "
                + plan.failureLimit()
                + " failures before rollback)"));
    return counted;
  }

  private static Decision promote(RolloutState state, List<Transition> transitions, String why) {
    transitions.add(Transition.normal("Promoted", "canary receives 100% of traffic: " + why));
    return new Decision(
        state.withPhase(Phase.Promoted, "promoted: " + why),
        RouteWeights.ALL_CANARY,
        transitions,
        SETTLED_RECHECK);
  }

  /**
   * The step's duration has passed and the analyses covered all of it: the last one ran at or after
   * the step's end (an analysis still in flight at the end must land before traffic moves on).
   */
  private static boolean stepComplete(StepPlan plan, RolloutState state, Instant now) {
    Instant end = state.stepStartedAt().plus(plan.step(state.step()).duration());
    return !now.isBefore(end)
        && state.stepAnalysesPassed() > 0
        && state.consecutiveFailures() == 0
        && state.lastAnalysisAt() != null
        && !state.lastAnalysisAt().isBefore(end);
  }

  private static Decision finish(
      StepPlan plan, RolloutState state, List<Transition> transitions, Instant now) {
    // Steps only end on an analysis, so the next analysis is the next thing that can happen.
    Duration after = Duration.between(now, nextAnalysisAt(plan, state));
    return new Decision(
        state,
        RouteWeights.canaryAt(weightAt(plan, state)),
        transitions,
        after.isNegative() ? Duration.ZERO : after);
  }

  private static boolean analysing(StepPlan plan, RolloutState state, Observation observation) {
    if (state == null
        || observation.trafficProblem() != null
        || plan.paused()
        || !state.started()
        || !Objects.equals(state.rolloutId(), observation.rolloutId())) {
      return false;
    }
    return state.phase() == Phase.Progressing
        || (state.phase() == Phase.Paused && state.awaitingPromotion());
  }

  static Instant nextAnalysisAt(StepPlan plan, RolloutState state) {
    Instant base = state.stepStartedAt();
    if (state.lastAnalysisAt() != null && state.lastAnalysisAt().isAfter(base)) {
      base = state.lastAnalysisAt();
    }
    return base.plus(plan.analysisInterval());
  }

  private static int weightAt(StepPlan plan, RolloutState state) {
    return plan.step(state.step()).weight();
  }

  private static Phase phaseFor(TrafficProblem problem) {
    return problem.kind() == TrafficProblem.Kind.NoStableRoute ? Phase.Failed : Phase.Pending;
  }
}
