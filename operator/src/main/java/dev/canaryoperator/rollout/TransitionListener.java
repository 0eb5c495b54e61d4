package dev.canaryoperator.rollout;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;

/**
 * Told about each transition once the status holds it (never about one that could still be lost),
 * with the status it led to. Listeners must not block: the reconciler calls them.
 */
public interface TransitionListener {
  void transitioned(CanaryRelease release, Transition transition, CanaryReleaseStatus status);
}
