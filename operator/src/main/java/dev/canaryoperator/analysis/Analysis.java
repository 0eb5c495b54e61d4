package dev.canaryoperator.analysis;

/**
 * The port through which the rollout asks "is the canary as good as the stable right now?".
 * Implementations may block on I/O; the reconciler calls them off its own threads.
 */
public interface Analysis {
  AnalysisResult analyze(AnalysisTarget target);
}
