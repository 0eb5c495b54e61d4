package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.api.Phase;
import java.time.Instant;

/**
 * The rollout's progress as the state machine sees it; persisted in the CanaryRelease status.
 *
 * @param step 1-based index into spec.steps, 0 before the first step
 * @param awaitingPromotion at the last step under Manual promotion, analysis still running
 * @param lastAnalysisAt when the last analysis ran (in this rollout), or null
 * @param weightChangedAt when the split last changed: the end of the stable's last traffic once the
 *     canary takes 100%
 */
public record RolloutState(
    Phase phase,
    String rolloutId,
    int step,
    Instant stepStartedAt,
    int stepAnalysesPassed,
    int consecutiveFailures,
    boolean awaitingPromotion,
    Instant lastAnalysisAt,
    AnalysisResult lastAnalysis,
    String acknowledgedPromote,
    String acknowledgedRetry,
    String message,
    Instant weightChangedAt) {

  public boolean started() {
    return rolloutId != null && step > 0;
  }

  public RolloutState withPhase(Phase newPhase, String newMessage) {
    return new RolloutState(
        newPhase,
        rolloutId,
        step,
        stepStartedAt,
        stepAnalysesPassed,
        consecutiveFailures,
        awaitingPromotion,
        lastAnalysisAt,
        lastAnalysis,
        acknowledgedPromote,
        acknowledgedRetry,
        newMessage,
        weightChangedAt);
  }

  RolloutState atStep(int newStep, Instant startedAt) {
    return new RolloutState(
        phase,
        rolloutId,
        newStep,
        startedAt,
        0,
        consecutiveFailures,
        awaitingPromotion,
        lastAnalysisAt,
        lastAnalysis,
        acknowledgedPromote,
        acknowledgedRetry,
        message,
        startedAt);
  }

  RolloutState restartStepClock(Instant now) {
    return new RolloutState(
        phase,
        rolloutId,
        step,
        now,
        0,
        consecutiveFailures,
        awaitingPromotion,
        lastAnalysisAt,
        lastAnalysis,
        acknowledgedPromote,
        acknowledgedRetry,
        message,
        weightChangedAt);
  }

  RolloutState withAnalysis(AnalysisResult result, Instant at, int passed, int failures) {
    return new RolloutState(
        phase,
        rolloutId,
        step,
        stepStartedAt,
        passed,
        failures,
        awaitingPromotion,
        at,
        result,
        acknowledgedPromote,
        acknowledgedRetry,
        message,
        weightChangedAt);
  }

  RolloutState awaitingPromotion(boolean awaiting, String promoteAck) {
    return new RolloutState(
        phase,
        rolloutId,
        step,
        stepStartedAt,
        stepAnalysesPassed,
        consecutiveFailures,
        awaiting,
        lastAnalysisAt,
        lastAnalysis,
        promoteAck,
        acknowledgedRetry,
        message,
        weightChangedAt);
  }
}
