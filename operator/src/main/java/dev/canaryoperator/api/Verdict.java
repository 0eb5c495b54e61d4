package dev.canaryoperator.api;

public enum Verdict {
  Pass,
  Fail,
  /** Not enough data to judge: never advances a step. */
  Inconclusive,
  /**
   * Sequential analysis only: the data so far neither show a regression nor rule one out. The step
   * goes on observing; it is not complete until a Pass.
   */
  Collecting
}
