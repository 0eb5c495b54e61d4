package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.OnDelete;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.rollout.Requests.Kind;
import dev.canaryoperator.rollout.Requests.Request;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The rollout as a pure function of (plan, state, observation, now): no client, no clock, no I/O.
 *
 * <p>Safety rules: a step advances only when its duration has passed and every analysis in it
 * passed; anything inconclusive holds (or rolls back, per onNoData); failures roll back to canary
 * 0; a person's abort, or a person lowering the canary's weight by hand, rolls back too.
 *
 * <p>A verdict is forgotten only after the status records its effect: every analysis handed in is
 * recorded in the returned state, whatever else is going on (a VirtualService that vanished, a
 * pause), and a rollback it causes is a phase the status keeps and the shell carries out as soon as
 * it can.
 */
public final class RolloutStateMachine {
  /**
   * Promoted, completed and rolled-back releases are re-checked this often, so drifted weights get
   * corrected.
   */
  static final Duration SETTLED_RECHECK = Duration.ofMinutes(5);

  /** While finalising, the stable Deployment is looked at this often. */
  static final Duration FINALISE_RECHECK = Duration.ofSeconds(5);

  private RolloutStateMachine() {}

  /** Whether an analysis should run now, so the shell only queries Prometheus when it matters. */
  public static boolean analysisDue(
      StepPlan plan, RolloutState state, Observation observation, Instant now) {
    return analysing(plan, state, observation) && !now.isBefore(nextAnalysisAt(plan, state));
  }

  public static Decision decide(
      StepPlan plan, RolloutState state, Observation observation, Instant now) {
    List<Transition> transitions = new ArrayList<>();
    if (state == null
        || state.rollout() == null
        || !Objects.equals(state.rollout().id(), observation.rolloutId())) {
      return newRollout(plan, state, observation, now, transitions);
    }
    RolloutState next = state;

    // 1. A verdict is recorded whatever else happens (see the class comment).
    if (observation.analysis() != null && analysingPhase(next)) {
      next = record(plan, next, observation, now, transitions);
      if (next.phase() == Phase.RolledBack) {
        return settled(next, RouteWeights.ALL_STABLE, transitions);
      }
    }

    // 2. What a person asked for, one request per decision (abort first).
    Request request = observation.requests().firstNew(next.acknowledged()).orElse(null);
    if (request != null) {
      next = next.withAcknowledged(next.acknowledged().with(request.kind(), request.value()));
      Decision acted = actOn(plan, next, request, observation, now, transitions);
      if (acted != null) {
        return acted;
      }
    }

    // 3. A person lowered the canary's share by hand: taken as an abort.
    if (observation.outsideEdit() != null && observation.trafficProblem() == null) {
      RouteWeights intended = intendedWeights(plan, next);
      int edited = observation.outsideEdit().weights().canary();
      if (intended != null && edited < intended.canary()) {
        String why =
            "canary weight lowered outside the operator (from "
                + intended.canary()
                + "% to "
                + edited
                + "% by "
                + observation.outsideEdit().editedBy()
                + "); if a GitOps sync wrote it, see \"GitOps with Argo CD\" in the README for the"
                + " ignoreDifferences that leave the split to the operator";
        transitions.add(Transition.warning("RolledBack", "canary weight set to 0: " + why));
        return settled(
            next.withPhase(Phase.RolledBack, "CanaryWeightLowered", why)
                .withProgress(next.progress().awaiting(false)),
            RouteWeights.ALL_STABLE,
            transitions);
      }
    }

    // 4. The VirtualService cannot be driven: record why, move nothing.
    if (observation.trafficProblem() != null) {
      return trafficProblem(next, observation.trafficProblem(), transitions);
    }

    switch (next.phase()) {
      case Promoted -> {
        return settled(next, RouteWeights.ALL_CANARY, transitions);
      }
      case Completed, RolledBack -> {
        return settled(next, RouteWeights.ALL_STABLE, transitions);
      }
      case Finalising -> {
        return finalise(plan, next, observation, now, transitions);
      }
      case Pending, Failed -> {
        next = resume(next, now, "VirtualService usable again", transitions);
      }
      default -> {}
    }

    if (plan.paused()) {
      if (next.phase() != Phase.Paused || next.progress().awaitingPromotion()) {
        transitions.add(
            Transition.normal(
                "Paused", "spec.paused is true: holding at " + weightAt(plan, next) + "%"));
      }
      return new Decision(
          next.withProgress(next.progress().awaiting(false))
              .withPhase(Phase.Paused, "Paused", "paused by spec.paused"),
          RouteWeights.canaryAt(weightAt(plan, next)),
          transitions,
          null);
    }
    if (next.phase() == Phase.Paused && !next.progress().awaitingPromotion()) {
      next = resume(next, now, "spec.paused cleared", transitions);
    }

    if (next.progress().awaitingPromotion()) {
      if (plan.promotion() == Promotion.Automatic) {
        return promote(plan, next, now, transitions, "Promoted", "promotion switched to Automatic");
      }
      return finish(plan, next, transitions, now);
    }

    if (stepComplete(plan, next, now)) {
      GateRequest gate = gateAfter(plan, next);
      if (gate != null && !open(gate, observation)) {
        return heldByGate(plan, next, gate, observation.gate(), transitions, now);
      }
      if (GATE_CLOSED.equals(next.reason())) {
        next = next.withPhase(Phase.Progressing, null, null);
      }
      if (next.step() < plan.size()) {
        next =
            next.withProgress(next.progress().advance(now)).withAnalysis(next.analysis().newStep());
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
        return promote(plan, next, now, transitions, "Promoted", "every step passed its analysis");
      } else {
        next =
            next.withProgress(next.progress().awaiting(true))
                .withPhase(
                    Phase.Paused,
                    "AwaitingPromotion",
                    "waiting for promotion: kubectl annotate crel <name> "
                        + CanaryRelease.PROMOTE_ANNOTATION
                        + "="
                        + next.rollout().key()
                        + "/$(date +%s) --overwrite");
        transitions.add(
            Transition.normal(
                "AwaitingPromotion", "last step passed; waiting for a manual promotion"));
      }
    }
    return finish(plan, next, transitions, now);
  }

  /**
   * The spec cannot be worked with: nothing is written but the status, which names the field. A
   * settled release keeps its phase (a rollback stays a rollback); one under way is Failed until
   * the spec is fixed, then observes its step again.
   */
  public static Decision invalidSpec(RolloutState state, String message) {
    TrafficProblem problem = new TrafficProblem(TrafficProblem.Kind.InvalidSpec, message);
    Transition news = Transition.warning(problem.kind().name(), message);
    if (state == null) {
      return new Decision(
          new RolloutState(Phase.Failed, null, "InvalidSpec", message, null, null, null, null),
          null,
          List.of(news),
          null);
    }
    List<Transition> transitions = new ArrayList<>();
    Decision decided = trafficProblem(state, problem, transitions);
    if (transitions.isEmpty() && !message.equals(state.message())) {
      return new Decision(decided.state(), null, List.of(news), null);
    }
    return decided;
  }

  /** Progressing again after a hold, but the whole step is observed again from now. */
  private static RolloutState resume(
      RolloutState state, Instant now, String why, List<Transition> transitions) {
    RolloutState next =
        state
            .withPhase(Phase.Progressing, null, null)
            .withProgress(state.progress().restartClock(now))
            .withAnalysis(state.analysis().newStep());
    transitions.add(
        Transition.normal("Resumed", why + ": step " + next.step() + " observed from now"));
    return next;
  }

  /** What deleting the release does to the traffic. */
  public static DeletionDecision onDelete(StepPlan plan, RolloutState state) {
    OnDelete rule = plan == null ? null : plan.onDelete();
    boolean settled =
        state != null
            && (state.phase() == Phase.Promoted
                || state.phase() == Phase.Completed
                || state.phase() == Phase.RolledBack);
    if (rule == OnDelete.Keep || (rule == null && settled)) {
      return new DeletionDecision(
          null,
          "the split is kept as it is"
              + (rule == OnDelete.Keep ? " (spec.onDelete: Keep)" : " (the release was settled)"));
    }
    return new DeletionDecision(
        RouteWeights.ALL_STABLE,
        "100% back on the stable"
            + (rule == OnDelete.RestoreStable ? " (spec.onDelete: RestoreStable)" : ""));
  }

  /**
   * What the release's deletion does.
   *
   * @param weights the split to leave behind, or null to keep the current one
   */
  public record DeletionDecision(RouteWeights weights, String message) {}

  private static Decision newRollout(
      StepPlan plan,
      RolloutState state,
      Observation observation,
      Instant now,
      List<Transition> transitions) {
    // Requests already there belong to no rollout of this one: acknowledged unseen.
    if (observation.trafficProblem() != null) {
      TrafficProblem problem = observation.trafficProblem();
      RolloutState waiting =
          new RolloutState(
              phaseFor(problem),
              null,
              problem.kind().name(),
              problem.message(),
              null,
              null,
              observation.requests(),
              null);
      if (state == null || state.phase() != waiting.phase()) {
        transitions.add(Transition.warning(problem.kind().name(), problem.message()));
      }
      return new Decision(waiting, null, transitions, null);
    }
    GateRequest confirm = confirmRollout(plan, observation.rolloutId());
    if (confirm != null && !open(confirm, observation)) {
      String message = waitingFor(plan, confirm, observation.gate());
      RolloutState waiting =
          new RolloutState(
              Phase.Pending, null, GATE_CLOSED, message, null, null, observation.requests(), null);
      if (state == null || !message.equals(state.message())) {
        transitions.add(Transition.normal(GATE_CLOSED, message));
      }
      return new Decision(waiting, null, transitions, GATE_RECHECK);
    }
    boolean restart = state != null && state.rollout() != null;
    RolloutState next = start(RolloutRef.first(observation.rolloutId()), observation, now);
    transitions.add(
        Transition.normal(
            restart ? "NewRollout" : "RolloutStarted",
            "rollout "
                + next.rollout().key()
                + " started: canary at "
                + plan.step(1).weight()
                + "%"));
    return finish(plan, next, transitions, now);
  }

  private static RolloutState start(RolloutRef rollout, Observation observation, Instant now) {
    return new RolloutState(
        Phase.Progressing,
        rollout,
        null,
        null,
        StepProgress.first(now),
        AnalysisRecord.NONE,
        observation.requests(),
        null);
  }

  /**
   * Acts on a request (already acknowledged in {@code state}); null when it was refused (the event
   * says why) and the decision goes on.
   */
  private static Decision actOn(
      StepPlan plan,
      RolloutState state,
      Request request,
      Observation observation,
      Instant now,
      List<Transition> transitions) {
    String expected = state.rollout().key();
    String annotation = request.kind().annotation();
    if (request.rolloutKey() == null) {
      transitions.add(
          Transition.warning(
              "RequestIgnored",
              annotation
                  + "="
                  + request.value()
                  + " names no rollout: set it to "
                  + expected
                  + "/<anything new>, e.g. "
                  + expected
                  + "/$(date +%s)"));
      return null;
    }
    if (!request.rolloutKey().equals(expected)) {
      transitions.add(
          Transition.warning(
              "RequestIgnored",
              annotation
                  + "="
                  + request.value()
                  + " is for rollout "
                  + request.rolloutKey()
                  + ", not the current "
                  + expected
                  + ": nothing done (an old value restored or replayed acts on nothing)"));
      return null;
    }
    Phase phase = state.phase();
    boolean underWay =
        phase == Phase.Progressing
            || phase == Phase.Paused
            || phase == Phase.Pending
            || phase == Phase.Failed;
    switch (request.kind()) {
      case ABORT -> {
        if (underWay || phase == Phase.Finalising) {
          String why =
              "aborted on request: "
                  + Objects.requireNonNullElse(request.reason(), "no reason given");
          transitions.add(Transition.warning("Aborted", why));
          return settled(
              state
                  .withPhase(Phase.RolledBack, "Aborted", why)
                  .withProgress(state.progress().awaiting(false))
                  .withFinalisingSince(null),
              RouteWeights.ALL_STABLE,
              transitions);
        }
      }
      case RETRY -> {
        if (phase == Phase.RolledBack) {
          // what is there now (this request included) belongs to the attempt before
          RolloutState next = start(state.rollout().next(), observation, now);
          transitions.add(
              Transition.normal(
                  "RetryRequested",
                  "retry requested: attempt "
                      + next.rollout().attempt()
                      + " started, canary at "
                      + plan.step(1).weight()
                      + "%"));
          return finish(plan, next, transitions, now);
        }
      }
      case PROMOTE_FULL -> {
        if ((phase == Phase.Progressing || phase == Phase.Paused) && !plan.paused()) {
          String why =
              "promoted in full on request at step "
                  + state.step()
                  + "/"
                  + plan.size()
                  + " ("
                  + weightAt(plan, state)
                  + "%): the remaining steps and their analysis were skipped";
          return promote(plan, state, now, transitions, "PromotedFull", why);
        }
      }
      case PROMOTE -> {
        if (phase == Phase.Paused && state.progress().awaitingPromotion() && !plan.paused()) {
          return promote(plan, state, now, transitions, "Promoted", "promoted on request");
        }
      }
    }
    transitions.add(
        Transition.warning(
            "RequestIgnored",
            request.kind().annotation().substring(CanaryRelease.GROUP.length() + 1)
                + " makes no sense now: "
                + refusal(request.kind(), state, plan)
                + "; nothing done"));
    return null;
  }

  private static String refusal(Kind kind, RolloutState state, StepPlan plan) {
    if (plan.paused() && (kind == Kind.PROMOTE || kind == Kind.PROMOTE_FULL)) {
      return "spec.paused is true";
    }
    return switch (kind) {
      case ABORT -> "the release is " + state.phase() + ", there is no rollout to stop";
      case RETRY -> "the release is " + state.phase() + ", only a RolledBack one is retried";
      case PROMOTE_FULL -> "the release is " + state.phase() + ", not progressing";
      case PROMOTE ->
          state.phase() == Phase.Progressing
              ? "the release is not waiting for a manual promotion (use promote-full to skip the"
                  + " remaining steps)"
              : "the release is " + state.phase() + ", not waiting for a manual promotion";
    };
  }

  private static Decision trafficProblem(
      RolloutState state, TrafficProblem problem, List<Transition> transitions) {
    Phase phase = phaseFor(problem);
    if (state.phase() == Phase.Promoted
        || state.phase() == Phase.RolledBack
        || state.phase() == Phase.Completed
        || state.phase() == Phase.Finalising) {
      // Settled phases keep their phase and its message (a rollback waits here to be written,
      // with its reason); condition Ready tells the problem.
      return new Decision(state, null, transitions, null);
    }
    if (state.phase() != phase) {
      transitions.add(Transition.warning(problem.kind().name(), problem.message()));
    }
    return new Decision(
        state.withPhase(phase, problem.kind().name(), problem.message()), null, transitions, null);
  }

  /**
   * Records an analysis.
   *
   * <p>The next one is due an interval after it queried, so the time the result took to arrive does
   * not stretch the interval.
   */
  private static RolloutState record(
      StepPlan plan,
      RolloutState state,
      Observation observation,
      Instant now,
      List<Transition> transitions) {
    AnalysisResult result = observation.analysis();
    Instant measuredAt =
        observation.analysisAt() == null || observation.analysisAt().isAfter(now)
            ? now
            : observation.analysisAt();
    AnalysisRecord seen = state.analysis();
    boolean failed =
        result.verdict() == Verdict.Fail
            || (result.verdict() == Verdict.Inconclusive && plan.onNoData() == OnNoData.Rollback);
    if (result.verdict() == Verdict.Pass) {
      return state.withAnalysis(new AnalysisRecord(seen.passedInStep() + 1, 0, measuredAt, result));
    }
    if (result.verdict() == Verdict.Collecting) {
      // The evidence grows from the step's start: the clock keeps running, nothing is counted, and
      // the step is not complete until an analysis passes.
      return state.withAnalysis(
          new AnalysisRecord(seen.passedInStep(), seen.consecutiveFailures(), measuredAt, result));
    }
    if (!failed) {
      // Inconclusive under Hold: the step must be observed again in full before it may advance.
      // Only the turn to inconclusive is news; a long outage must not wash the history away.
      if (seen.last() == null || seen.last().verdict() != Verdict.Inconclusive) {
        transitions.add(Transition.warning("AnalysisInconclusive", result.reason()));
      }
      return state
          .withAnalysis(new AnalysisRecord(0, seen.consecutiveFailures(), measuredAt, result))
          .withProgress(state.progress().restartClock(now));
    }
    int failures = seen.consecutiveFailures() + 1;
    RolloutState counted =
        state
            .withAnalysis(new AnalysisRecord(0, failures, measuredAt, result))
            .withProgress(state.progress().restartClock(now));
    if (failures >= plan.failureLimit()) {
      transitions.add(
          Transition.warning("RolledBack", "canary weight set to 0: " + result.reason()));
      return counted
          .withProgress(counted.progress().awaiting(false))
          .withPhase(Phase.RolledBack, "AnalysisFailed", result.reason());
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

  /** 100% to the canary; with spec.finalize, the stable is then brought to the canary's spec. */
  private static Decision promote(
      StepPlan plan,
      RolloutState state,
      Instant now,
      List<Transition> transitions,
      String reason,
      String why) {
    transitions.add(Transition.normal(reason, "canary receives 100% of traffic: " + why));
    RolloutState promoted =
        state
            .withProgress(state.progress().awaiting(false))
            .withPhase(Phase.Promoted, reason, "promoted: " + why);
    if (plan.finalization() == null) {
      return settled(promoted, RouteWeights.ALL_CANARY, transitions);
    }
    transitions.add(
        Transition.normal(
            "Finalising",
            plan.finalization().mode() == FinalizeMode.CopyToStable
                ? "copying Deployment "
                    + plan.finalization().canaryDeployment()
                    + "'s pod template into "
                    + plan.finalization().stableDeployment()
                : "waiting for Deployment "
                    + plan.finalization().stableDeployment()
                    + " to run what "
                    + plan.finalization().canaryDeployment()
                    + " runs"));
    RolloutState finalising =
        promoted
            .withPhase(Phase.Finalising, reason, "promoted: " + why + "; finalising")
            .withFinalisingSince(now);
    return new Decision(
        finalising,
        RouteWeights.ALL_CANARY,
        transitions,
        Duration.ZERO,
        plan.finalization().mode() == FinalizeMode.CopyToStable
            ? Set.of(WorkloadEffect.COPY_CANARY_TO_STABLE)
            : Set.of());
  }

  /**
   * Finalising: the canary keeps 100% until the stable runs its pod spec and has rolled out; then
   * 100% back on the stable in one write. Never moves traffic to a stable that is not ready.
   */
  private static Decision finalise(
      StepPlan plan,
      RolloutState state,
      Observation observation,
      Instant now,
      List<Transition> transitions) {
    StepPlan.FinalizePlan finalize = plan.finalization();
    if (finalize == null) {
      // spec.finalize was removed while waiting: the canary keeps 100%, as without it.
      return settled(
          state.withPhase(Phase.Promoted, state.reason(), "promoted; spec.finalize removed"),
          RouteWeights.ALL_CANARY,
          transitions);
    }
    StableReadiness stable = observation.stable();
    if (stable != null && stable.ready()) {
      Set<WorkloadEffect> effects =
          finalize.mode() == FinalizeMode.CopyToStable && finalize.scaleCanaryToZero()
              ? Set.of(WorkloadEffect.SCALE_CANARY_TO_ZERO)
              : Set.of();
      String why =
          "Deployment "
              + finalize.stableDeployment()
              + " runs the canary's pod spec and has rolled out: 100% back on the stable";
      transitions.add(Transition.normal("Completed", why));
      return new Decision(
          state.withPhase(Phase.Completed, "Completed", why).withFinalisingSince(null),
          RouteWeights.ALL_STABLE,
          transitions,
          SETTLED_RECHECK,
          effects);
    }
    String waitingFor =
        stable == null
            ? "Deployment " + finalize.stableDeployment() + " could not be read"
            : stable.waitingFor();
    Set<WorkloadEffect> effects = EnumSet.noneOf(WorkloadEffect.class);
    if (finalize.mode() == FinalizeMode.CopyToStable && stable != null && !stable.runsCanary()) {
      effects.add(WorkloadEffect.COPY_CANARY_TO_STABLE);
    }
    Instant since = Objects.requireNonNullElse(state.finalisingSince(), now);
    boolean late = !now.isBefore(since.plus(finalize.timeout()));
    String reason = state.reason();
    String message = "finalising: " + waitingFor;
    if (late) {
      message =
          "finalising, past spec.finalize.timeout ("
              + Durations.format(finalize.timeout())
              + "): "
              + waitingFor
              + "; the canary keeps 100% of the traffic";
      if (!"FinalisationTimedOut".equals(reason)) {
        transitions.add(Transition.warning("FinalisationTimedOut", message));
        reason = "FinalisationTimedOut";
      }
    }
    return new Decision(
        state.withPhase(Phase.Finalising, reason, message).withFinalisingSince(since),
        RouteWeights.ALL_CANARY,
        transitions,
        FINALISE_RECHECK,
        effects);
  }

  /**
   * The step's duration has passed and the analyses covered all of it: the last one ran at or after
   * the step's end (an analysis still in flight at the end must land before traffic moves on).
   */
  private static boolean stepComplete(StepPlan plan, RolloutState state, Instant now) {
    Instant end = state.progress().startedAt().plus(plan.step(state.step()).duration());
    AnalysisRecord analysis = state.analysis();
    return !now.isBefore(end)
        && analysis.passedInStep() > 0
        && analysis.consecutiveFailures() == 0
        && analysis.lastAt() != null
        && !analysis.lastAt().isBefore(end)
        && analysis.last() != null
        && analysis.last().verdict() == Verdict.Pass;
  }

  private static Decision settled(
      RolloutState state, RouteWeights weights, List<Transition> transitions) {
    return new Decision(state, weights, transitions, SETTLED_RECHECK);
  }

  private static Decision finish(
      StepPlan plan, RolloutState state, List<Transition> transitions, Instant now) {
    if (state.phase() == Phase.Progressing && state.reason() == null) {
      // A plain step has no event of its own to explain it; the status (and Argo CD, which
      // shows it) says where the rollout stands.
      String where =
          "step " + state.step() + "/" + plan.size() + ": canary at " + weightAt(plan, state) + "%";
      if (!where.equals(state.message())) {
        state = state.withPhase(Phase.Progressing, null, where);
      }
    }
    // Steps only end on an analysis, so the next analysis is the next thing that can happen.
    Duration after = Duration.between(now, nextAnalysisAt(plan, state));
    return new Decision(
        state,
        RouteWeights.canaryAt(weightAt(plan, state)),
        transitions,
        after.isNegative() ? Duration.ZERO : after);
  }

  /** The split the state stands for, or null when it stands for none yet. */
  public static RouteWeights intendedWeights(StepPlan plan, RolloutState state) {
    if (state == null || !state.started()) {
      return null;
    }
    return switch (state.phase()) {
      case Promoted, Finalising -> RouteWeights.ALL_CANARY;
      case Completed, RolledBack -> RouteWeights.ALL_STABLE;
      default -> RouteWeights.canaryAt(weightAt(plan, state));
    };
  }

  /** Phases in which analyses run, so a verdict handed in belongs to them. */
  private static boolean analysingPhase(RolloutState state) {
    return state.started()
        && (state.phase() == Phase.Progressing
            || state.phase() == Phase.Paused
            || state.phase() == Phase.Pending
            || state.phase() == Phase.Failed);
  }

  private static boolean analysing(StepPlan plan, RolloutState state, Observation observation) {
    if (state == null
        || observation.trafficProblem() != null
        || plan.paused()
        || !state.started()
        || !Objects.equals(state.rollout().id(), observation.rolloutId())) {
      return false;
    }
    return state.phase() == Phase.Progressing
        || (state.phase() == Phase.Paused && state.progress().awaitingPromotion());
  }

  /**
   * Analyses follow each other one interval apart; a step's first comes the plan's offset after its
   * evidence starts.
   */
  static final String GATE_CLOSED = "GateClosed";

  /** How soon a release held by a gate comes back to look (the gate is asked again then). */
  static final java.time.Duration GATE_RECHECK = java.time.Duration.ofSeconds(10);

  /**
   * The gate the release needs open to move on now, if any: confirm-rollout before its first step,
   * confirm-traffic-increase once a step is complete and another follows, confirm-promotion once
   * the last is complete under automatic promotion. The shell asks it; its answer comes back in the
   * observation.
   */
  public static java.util.Optional<GateRequest> pendingGate(
      StepPlan plan, RolloutState state, String rolloutId, Instant now) {
    if (state == null || state.rollout() == null || !state.rollout().id().equals(rolloutId)) {
      return java.util.Optional.ofNullable(confirmRollout(plan, rolloutId));
    }
    if (state.phase() != Phase.Progressing
        || state.progress().awaitingPromotion()
        || plan.paused()
        || !stepComplete(plan, state, now)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.ofNullable(gateAfter(plan, state));
  }

  private static GateRequest confirmRollout(StepPlan plan, String rolloutId) {
    return plan.gates().contains(GateKind.ConfirmRollout)
        ? new GateRequest(rolloutId, GateKind.ConfirmRollout, 1)
        : null;
  }

  /** The gate between a complete step and what follows it, or null when none is configured. */
  private static GateRequest gateAfter(StepPlan plan, RolloutState state) {
    String key = state.rollout().key();
    if (state.step() < plan.size()) {
      return plan.gates().contains(GateKind.ConfirmTrafficIncrease)
          ? new GateRequest(key, GateKind.ConfirmTrafficIncrease, state.step() + 1)
          : null;
    }
    return plan.promotion() == Promotion.Automatic
            && plan.gates().contains(GateKind.ConfirmPromotion)
        ? new GateRequest(key, GateKind.ConfirmPromotion, state.step())
        : null;
  }

  private static boolean open(GateRequest gate, Observation observation) {
    return observation.gate() != null
        && observation.gate().answers(gate)
        && observation.gate().open();
  }

  private static String waitingFor(StepPlan plan, GateRequest gate, GateAnswer answer) {
    String what =
        switch (gate.kind()) {
          case ConfirmRollout -> "before the rollout starts";
          case ConfirmTrafficIncrease ->
              "before step " + gate.step() + " (" + plan.step(gate.step()).weight() + "%)";
          case ConfirmPromotion -> "before the promotion to 100%";
        };
    String said =
        answer == null || !answer.answers(gate) ? "asking" : "it answered " + answer.message();
    return "held by the " + gate.kind().webhookName() + " gate " + what + ": " + said;
  }

  /**
   * The step is done but its gate has not said yes: the release stays where it is (its analyses go
   * on, so a Fail still rolls it back), with the gate and its answer in the status and, when that
   * changes, in an event.
   */
  private static Decision heldByGate(
      StepPlan plan,
      RolloutState next,
      GateRequest gate,
      GateAnswer answer,
      List<Transition> transitions,
      Instant now) {
    String message = waitingFor(plan, gate, answer);
    if (!message.equals(next.message())) {
      transitions.add(Transition.normal(GATE_CLOSED, message));
    }
    Decision held =
        finish(plan, next.withPhase(Phase.Progressing, GATE_CLOSED, message), transitions, now);
    java.time.Duration wake = held.wakeUpAfter();
    return wake != null && wake.compareTo(GATE_RECHECK) <= 0
        ? held
        : new Decision(held.state(), held.weights(), held.transitions(), GATE_RECHECK);
  }

  static Instant nextAnalysisAt(StepPlan plan, RolloutState state) {
    Instant last = state.analysis().lastAt();
    if (last != null && last.isAfter(state.progress().startedAt())) {
      return last.plus(plan.analysisInterval());
    }
    return evidenceSince(plan, state).plus(plan.analysisOffset());
  }

  /**
   * Where the step's evidence starts: the first whole interval (counted from the epoch) at or after
   * the step started. Never before the step, so nothing measured under an earlier step or rollout
   * counts; and shared by the releases whose steps started within the same interval, so that their
   * numbers can be measured in one query (see the analysis package's MeasureBatcher).
   */
  public static Instant evidenceSince(StepPlan plan, RolloutState state) {
    long grain = plan.analysisInterval().toMillis();
    long start = state.progress().startedAt().toEpochMilli();
    return Instant.ofEpochMilli(Math.floorDiv(start + grain - 1, grain) * grain);
  }

  private static int weightAt(StepPlan plan, RolloutState state) {
    return plan.step(state.step()).weight();
  }

  private static Phase phaseFor(TrafficProblem problem) {
    return problem.kind() == TrafficProblem.Kind.VirtualServiceNotFound
        ? Phase.Pending
        : Phase.Failed;
  }
}
