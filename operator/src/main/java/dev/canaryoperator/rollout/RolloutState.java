package dev.canaryoperator.rollout;

import dev.canaryoperator.api.Phase;
import java.time.Instant;

/**
 * The rollout as the state machine sees it; persisted in the CanaryRelease status, which is written
 * before any effect (see docs/crash-safety.md), so this is the truth after a restart.
 *
 * @param rollout which rollout and attempt, or null before the first one started
 * @param reason why the phase is what it is, in one CamelCase word (AnalysisFailed, Aborted...), or
 *     null
 * @param acknowledged the request values already acted on or refused: each acts once
 * @param finalisingSince when finalisation started (its timeout counts from there), or null
 */
public record RolloutState(
    Phase phase,
    RolloutRef rollout,
    String reason,
    String message,
    StepProgress progress,
    AnalysisRecord analysis,
    Requests acknowledged,
    Instant finalisingSince) {

  public RolloutState {
    progress = progress == null ? StepProgress.NOT_STARTED : progress;
    analysis = analysis == null ? AnalysisRecord.NONE : analysis;
    acknowledged = acknowledged == null ? Requests.NONE : acknowledged;
  }

  public boolean started() {
    return rollout != null && progress.step() > 0;
  }

  public int step() {
    return progress.step();
  }

  public RolloutState withPhase(Phase newPhase, String newReason, String newMessage) {
    return new RolloutState(
        newPhase,
        rollout,
        newReason,
        newMessage,
        progress,
        analysis,
        acknowledged,
        finalisingSince);
  }

  RolloutState withProgress(StepProgress newProgress) {
    return new RolloutState(
        phase, rollout, reason, message, newProgress, analysis, acknowledged, finalisingSince);
  }

  RolloutState withAnalysis(AnalysisRecord newAnalysis) {
    return new RolloutState(
        phase, rollout, reason, message, progress, newAnalysis, acknowledged, finalisingSince);
  }

  RolloutState withAcknowledged(Requests newAcknowledged) {
    return new RolloutState(
        phase, rollout, reason, message, progress, analysis, newAcknowledged, finalisingSince);
  }

  RolloutState withFinalisingSince(Instant since) {
    return new RolloutState(
        phase, rollout, reason, message, progress, analysis, acknowledged, since);
  }
}
