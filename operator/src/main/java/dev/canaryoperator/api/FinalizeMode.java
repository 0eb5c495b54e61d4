package dev.canaryoperator.api;

/** How a promoted release hands the traffic back to the stable. */
public enum FinalizeMode {
  /**
   * For GitOps: wait until the stable Deployment runs the canary's pod spec (a commit of the new
   * image to the stable is the signal) and has rolled out; the operator writes no Deployment.
   */
  WaitForStable,
  /** The operator copies the canary's pod template into the stable Deployment itself. */
  CopyToStable
}
