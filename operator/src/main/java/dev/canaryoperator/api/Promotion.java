package dev.canaryoperator.api;

/** What happens after the last step passes. */
public enum Promotion {
  /** Route all traffic to the canary and finish. */
  Automatic,
  /** Hold at the last step until a person sets the promote annotation. */
  Manual
}
