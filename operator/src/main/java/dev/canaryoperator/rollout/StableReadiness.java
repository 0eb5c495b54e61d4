package dev.canaryoperator.rollout;

/**
 * How far the stable Deployment is from taking the traffic back after a promotion.
 *
 * @param runsCanary its pod spec is the canary's
 * @param rolledOut its rollout is complete: every replica updated and available
 * @param waitingFor what is missing, as a sentence for the status, or null when nothing is
 */
public record StableReadiness(boolean runsCanary, boolean rolledOut, String waitingFor) {
  public boolean ready() {
    return runsCanary && rolledOut;
  }
}
