package dev.canaryoperator.api;

public enum Phase {
  /** Accepted, waiting for its VirtualService (missing or without a route to the stable host). */
  Pending,
  Progressing,
  /** spec.paused, or waiting at the last step for a manual promotion. */
  Paused,
  Promoted,
  RolledBack,
  /** The operator found the release unworkable; the condition Ready says why and how to fix it. */
  Failed
}
