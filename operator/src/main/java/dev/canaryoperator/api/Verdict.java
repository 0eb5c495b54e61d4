package dev.canaryoperator.api;

public enum Verdict {
  Pass,
  Fail,
  /** Not enough data to judge: never advances a step. */
  Inconclusive
}
