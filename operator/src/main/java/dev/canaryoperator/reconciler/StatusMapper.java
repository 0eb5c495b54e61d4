package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.CheckResult;
import dev.canaryoperator.analysis.Evidence;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.CheckStatus;
import dev.canaryoperator.api.EvidenceStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.RequestsStatus;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.rollout.AnalysisRecord;
import dev.canaryoperator.rollout.Requests;
import dev.canaryoperator.rollout.RolloutRef;
import dev.canaryoperator.rollout.RolloutState;
import dev.canaryoperator.rollout.StepProgress;
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
                        .toList(),
                last.getEvidence() == null
                    ? List.of()
                    : last.getEvidence().stream()
                        .map(
                            e ->
                                new Evidence(
                                    e.getMeasure(),
                                    e.getEstimate(),
                                    e.getLower(),
                                    e.getUpper(),
                                    Objects.requireNonNullElse(e.getLimit(), 0.0),
                                    e.getVerdict(),
                                    e.getMoreRequests()))
                        .toList());
    RequestsStatus ack = status.getAcknowledged();
    return new RolloutState(
        status.getPhase(),
        status.getRolloutId() == null
            ? null
            : new RolloutRef(
                status.getRolloutId(),
                Math.max(1, Objects.requireNonNullElse(status.getAttempt(), 1))),
        status.getReason(),
        status.getMessage(),
        new StepProgress(
            orZero(status.getCurrentStep()),
            instant(status.getStepStartedAt()),
            instant(status.getWeightChangedAt()),
            Boolean.TRUE.equals(status.getAwaitingPromotion())),
        new AnalysisRecord(
            orZero(status.getStepAnalysesPassed()),
            orZero(status.getConsecutiveFailures()),
            last == null ? null : instant(last.getTime()),
            lastResult),
        ack == null
            ? Requests.NONE
            : new Requests(ack.getPromote(), ack.getPromoteFull(), ack.getAbort(), ack.getRetry()),
        instant(status.getFinalisingSince()));
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
    status.setRolloutId(state.rollout() == null ? null : state.rollout().id());
    status.setAttempt(state.rollout() == null ? null : state.rollout().attempt());
    status.setReason(state.reason());
    status.setCurrentStep(state.step());
    RouteWeights shown = weights != null ? weights : previousWeights(previous);
    if (shown != null) {
      status.setCanaryWeight(shown.canary());
      status.setStableWeight(shown.stable());
    }
    StepProgress progress = state.progress();
    status.setStepStartedAt(text(progress.startedAt()));
    status.setWeightChangedAt(text(progress.weightChangedAt()));
    status.setStepAnalysesPassed(state.analysis().passedInStep());
    status.setConsecutiveFailures(state.analysis().consecutiveFailures());
    status.setAwaitingPromotion(progress.awaitingPromotion() ? Boolean.TRUE : null);
    status.setLastAnalysis(analysisStatus(state));
    status.setMessage(state.message());
    Requests ack = state.acknowledged();
    status.setAcknowledged(
        ack.equals(Requests.NONE)
            ? null
            : new RequestsStatus(ack.promote(), ack.promoteFull(), ack.abort(), ack.retry()));
    status.setFinalisingSince(text(state.finalisingSince()));
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
    Phase phase = state.phase();
    boolean progressing =
        phase == Phase.Progressing || phase == Phase.Paused || phase == Phase.Finalising;
    boolean promoted =
        phase == Phase.Promoted || phase == Phase.Finalising || phase == Phase.Completed;
    String message = Objects.requireNonNullElse(state.message(), "phase " + phase);
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
        condition(previous, "Progressing", progressing, phase.name(), message, generation, now));
    result.add(
        condition(
            previous,
            "Promoted",
            promoted,
            promoted ? "Promoted" : "NotPromoted",
            promoted ? message : "the canary has not been promoted",
            generation,
            now));
    result.add(
        condition(
            previous,
            "Completed",
            phase == Phase.Completed,
            phase == Phase.Completed || phase == Phase.Finalising
                ? Objects.requireNonNullElse(state.reason(), phase.name())
                : "NotCompleted",
            phase == Phase.Completed || phase == Phase.Finalising
                ? message
                : "the release has not been finalised back to the stable",
            generation,
            now));
    result.add(
        condition(
            previous,
            "RolledBack",
            phase == Phase.RolledBack,
            phase == Phase.RolledBack
                ? Objects.requireNonNullElse(state.reason(), "RolledBack")
                : "NotRolledBack",
            phase == Phase.RolledBack ? message : "the canary has not been rolled back",
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
    AnalysisRecord record = state.analysis();
    if (record.last() == null) {
      return null;
    }
    AnalysisStatus status = new AnalysisStatus();
    status.setTime(text(record.lastAt()));
    status.setVerdict(record.last().verdict());
    status.setCanary(side(record.last().canary()));
    status.setStable(side(record.last().stable()));
    status.setReason(record.last().reason());
    if (!record.last().checks().isEmpty()) {
      status.setChecks(
          record.last().checks().stream()
              .map(
                  c ->
                      new CheckStatus(
                          c.name(), c.verdict(), c.canaryValue(), c.stableValue(), c.reason()))
              .toList());
    }
    if (!record.last().evidence().isEmpty()) {
      status.setEvidence(
          record.last().evidence().stream()
              .map(
                  e ->
                      new EvidenceStatus(
                          e.measure(),
                          e.estimate(),
                          e.lower(),
                          e.upper(),
                          e.limit(),
                          e.verdict(),
                          e.moreRequests()))
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

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
