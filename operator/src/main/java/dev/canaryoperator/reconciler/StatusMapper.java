package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.CheckResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.CheckStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.rollout.RolloutState;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Translates between the state machine's record and the CanaryRelease status, conditions and
 * history.
 */
final class StatusMapper {
  static final int HISTORY_LIMIT = 20;

  private StatusMapper() {}

  static RolloutState toState(CanaryReleaseStatus status) {
    if (status == null || status.getPhase() == null) {
      return null;
    }
    AnalysisStatus last = status.getLastAnalysis();
    AnalysisResult lastResult =
        last == null || last.getVerdict() == null
            ? null
            : new AnalysisResult(
                last.getVerdict(),
                measurement(last.getCanary()),
                measurement(last.getStable()),
                last.getReason(),
                last.getChecks() == null
                    ? List.of()
                    : last.getChecks().stream()
                        .map(
                            c ->
                                new CheckResult(
                                    c.getName(),
                                    c.getVerdict(),
                                    c.getCanary(),
                                    c.getStable(),
                                    c.getReason()))
                        .toList());
    boolean awaiting = Boolean.TRUE.equals(status.getAwaitingPromotion());
    return new RolloutState(
        status.getPhase(),
        status.getRolloutId(),
        orZero(status.getCurrentStep()),
        instant(status.getStepStartedAt()),
        orZero(status.getStepAnalysesPassed()),
        orZero(status.getConsecutiveFailures()),
        awaiting,
        last == null ? null : instant(last.getTime()),
        lastResult,
        status.getAcknowledgedPromote(),
        status.getAcknowledgedRetry(),
        status.getMessage(),
        instant(status.getWeightChangedAt()));
  }

  static CanaryReleaseStatus toStatus(
      RolloutState state,
      RouteWeights weights,
      CanaryReleaseStatus previous,
      List<Transition> transitions,
      TrafficProblem problem,
      long generation,
      Instant now) {
    CanaryReleaseStatus status = new CanaryReleaseStatus();
    status.setPhase(state.phase());
    status.setObservedGeneration(generation);
    status.setRolloutId(state.rolloutId());
    status.setCurrentStep(state.step());
    RouteWeights shown = weights != null ? weights : previousWeights(previous);
    if (shown != null) {
      status.setCanaryWeight(shown.canary());
      status.setStableWeight(shown.stable());
    }
    status.setStepStartedAt(
        state.stepStartedAt() == null ? null : state.stepStartedAt().toString());
    status.setWeightChangedAt(
        state.weightChangedAt() == null ? null : state.weightChangedAt().toString());
    status.setStepAnalysesPassed(state.stepAnalysesPassed());
    status.setConsecutiveFailures(state.consecutiveFailures());
    status.setAwaitingPromotion(state.awaitingPromotion() ? Boolean.TRUE : null);
    status.setLastAnalysis(analysisStatus(state));
    status.setMessage(state.message());
    status.setAcknowledgedPromote(state.acknowledgedPromote());
    status.setAcknowledgedRetry(state.acknowledgedRetry());
    status.setConditions(
        conditions(
            state,
            problem,
            previous == null ? List.of() : previous.getConditions(),
            generation,
            now));
    status.setHistory(
        history(
            previous == null ? List.of() : previous.getHistory(), transitions, state, shown, now));
    return status;
  }

  private static RouteWeights previousWeights(CanaryReleaseStatus previous) {
    if (previous == null || previous.getCanaryWeight() == null) {
      return null;
    }
    return RouteWeights.canaryAt(previous.getCanaryWeight());
  }

  static List<Condition> conditions(
      RolloutState state,
      TrafficProblem problem,
      List<Condition> previous,
      long generation,
      Instant now) {
    List<Condition> result = new ArrayList<>();
    boolean progressing = state.phase() == Phase.Progressing || state.phase() == Phase.Paused;
    result.add(
        condition(
            previous,
            "Ready",
            problem == null,
            problem == null ? "VirtualServiceReady" : problem.kind().name(),
            problem == null ? "the VirtualService is driven by this release" : problem.message(),
            generation,
            now));
    result.add(
        condition(
            previous,
            "Progressing",
            progressing,
            state.phase().name(),
            Objects.requireNonNullElse(state.message(), "phase " + state.phase()),
            generation,
            now));
    result.add(
        condition(
            previous,
            "Promoted",
            state.phase() == Phase.Promoted,
            state.phase() == Phase.Promoted ? "Promoted" : "NotPromoted",
            state.phase() == Phase.Promoted ? state.message() : "the canary has not been promoted",
            generation,
            now));
    result.add(
        condition(
            previous,
            "RolledBack",
            state.phase() == Phase.RolledBack,
            state.phase() == Phase.RolledBack ? "AnalysisFailed" : "NotRolledBack",
            state.phase() == Phase.RolledBack
                ? state.message()
                : "the canary has not been rolled back",
            generation,
            now));
    return result;
  }

  private static Condition condition(
      List<Condition> previous,
      String type,
      boolean isTrue,
      String reason,
      String message,
      long generation,
      Instant now) {
    String status = isTrue ? "True" : "False";
    String since =
        previous.stream()
            .filter(c -> c.getType().equals(type) && c.getStatus().equals(status))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(now.toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  private static List<HistoryEntry> history(
      List<HistoryEntry> previous,
      List<Transition> transitions,
      RolloutState state,
      RouteWeights weights,
      Instant now) {
    List<HistoryEntry> history = new ArrayList<>(previous);
    for (Transition t : transitions) {
      history.add(
          new HistoryEntry(
              now.toString(),
              state.phase(),
              state.step(),
              weights == null ? null : weights.canary(),
              t.reason(),
              t.message()));
    }
    return history.size() <= HISTORY_LIMIT
        ? history
        : new ArrayList<>(history.subList(history.size() - HISTORY_LIMIT, history.size()));
  }

  private static AnalysisStatus analysisStatus(RolloutState state) {
    if (state.lastAnalysis() == null) {
      return null;
    }
    AnalysisStatus status = new AnalysisStatus();
    status.setTime(state.lastAnalysisAt() == null ? null : state.lastAnalysisAt().toString());
    status.setVerdict(state.lastAnalysis().verdict());
    status.setCanary(side(state.lastAnalysis().canary()));
    status.setStable(side(state.lastAnalysis().stable()));
    status.setReason(state.lastAnalysis().reason());
    if (!state.lastAnalysis().checks().isEmpty()) {
      status.setChecks(
          state.lastAnalysis().checks().stream()
              .map(
                  c ->
                      new CheckStatus(
                          c.name(), c.verdict(), c.canaryValue(), c.stableValue(), c.reason()))
              .toList());
    }
    return status;
  }

  /**
   * Nothing measured is no object at all, not {@code {}}: server-side apply turns an empty object
   * that replaces a filled one into null, which the CRD rejects (422), so the whole status write
   * would fail (an inconclusive round with Prometheus down would never be recorded).
   */
  private static SideMeasurement side(Measurement m) {
    if (m == null || (m.requests() == null && m.errorRate() == null && m.latencyMs() == null)) {
      return null;
    }
    return new SideMeasurement(m.requests(), m.errorRate(), m.latencyMs());
  }

  private static Measurement measurement(SideMeasurement s) {
    return s == null
        ? Measurement.UNKNOWN
        : new Measurement(s.getRequests(), s.getErrorRate(), s.getLatencyMs());
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
