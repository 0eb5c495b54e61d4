package dev.canaryoperator.rollout;

import java.time.Instant;

/**
 * Where the rollout is in its steps.
 *
 * @param step 1-based index into spec.steps, 0 before the first step
 * @param startedAt when the step's observation started
 * @param weightChangedAt when the split last changed: the end of the stable's last traffic once the
 *     canary takes 100%
 * @param awaitingPromotion at the last step under Manual promotion, analysis still running
 */
public record StepProgress(
    int step, Instant startedAt, Instant weightChangedAt, boolean awaitingPromotion) {
  public static final StepProgress NOT_STARTED = new StepProgress(0, null, null, false);

  /** The first step, starting now. */
  static StepProgress first(Instant now) {
    return new StepProgress(1, now, now, false);
  }

  StepProgress advance(Instant now) {
    return new StepProgress(step + 1, now, now, awaitingPromotion);
  }

  /** The same step, observed again from now. */
  StepProgress restartClock(Instant now) {
    return new StepProgress(step, now, weightChangedAt, awaitingPromotion);
  }

  StepProgress awaiting(boolean awaiting) {
    return new StepProgress(step, startedAt, weightChangedAt, awaiting);
  }
}
