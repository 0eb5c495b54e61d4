package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import java.time.Instant;

/**
 * What the analyses of this rollout have said so far.
 *
 * @param passedInStep analyses that passed since the step's start
 * @param consecutiveFailures failures in a row (a rollback comes at spec.analysis.failureLimit)
 * @param lastAt when the last analysis queried, or null before the first
 * @param last the last analysis' result, or null before the first
 */
public record AnalysisRecord(
    int passedInStep, int consecutiveFailures, Instant lastAt, AnalysisResult last) {
  public static final AnalysisRecord NONE = new AnalysisRecord(0, 0, null, null);

  /** A new step (or the same one observed again) starts with no passed analysis. */
  AnalysisRecord newStep() {
    return new AnalysisRecord(0, consecutiveFailures, lastAt, last);
  }
}
