package dev.canaryoperator.api;

/** How the built-in error and latency rules turn measurements into a verdict. */
public enum AnalysisMethod {
  /**
   * Evidence accumulated over the step, with confidence intervals that stay valid however often
   * they are looked at: fail only when the canary is worse than the stable with the configured
   * confidence and its estimate breaks the rule; pass only when a breach of the rule is ruled out
   * with that confidence; in between, keep observing.
   */
  Sequential,
  /** Each window's numbers taken at face value: fail as soon as one window breaks the rule. */
  Threshold
}
