package dev.canaryoperator.rollout;

/** What a decision asks the shell to do to the Deployments (finalisation, CopyToStable only). */
public enum WorkloadEffect {
  /** Copy the canary Deployment's pod template into the stable Deployment. */
  COPY_CANARY_TO_STABLE,
  /** Scale the canary Deployment to 0 replicas: the stable serves everything again. */
  SCALE_CANARY_TO_ZERO
}
