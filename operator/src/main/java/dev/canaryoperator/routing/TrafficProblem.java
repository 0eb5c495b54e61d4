package dev.canaryoperator.routing;

/**
 * Why the operator cannot drive the VirtualService right now; nothing is written while it lasts.
 */
public record TrafficProblem(Kind kind, String message) {
  public enum Kind {
    /** The VirtualService (or Istio's CRD) is not there yet: wait for it. */
    VirtualServiceNotFound,
    /**
     * It exists but no targeted http route sends traffic to the stable host: a configuration error.
     */
    NoStableRoute,
    /** The CanaryRelease's spec cannot be worked with (a bound the CRD did not enforce yet). */
    InvalidSpec
  }
}
