package dev.canaryoperator.api;

public enum Phase {
  /** Accepted, waiting for its VirtualService (missing or without a route to the stable host). */
  Pending,
  Progressing,
  /** spec.paused, or waiting at the last step for a manual promotion. */
  Paused,
  Promoted,
  /** Promoted, and spec.finalize waits for the stable Deployment to run the canary's pod spec. */
  Finalising,
  /** Finalised: the stable runs what the canary ran and takes 100% of the traffic again. */
  Completed,
  RolledBack,
  /** The operator found the release unworkable; the condition Ready says why and how to fix it. */
  Failed
}
