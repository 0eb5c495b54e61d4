package dev.canaryoperator.routing;

/**
 * The port through which the reconciler reads and writes a release's traffic split. Istio's
 * VirtualService is one implementation ({@code traffic.VirtualServiceRouter}); nothing above this
 * interface knows which mesh carries the traffic.
 */
public interface TrafficRouter {

  /** The routing resource as read once for a reconcile; {@link #apply} writes against it. */
  interface Snapshot {
    /** Why the routing cannot be driven now, or null when it can. */
    TrafficProblem problem();

    /** The split it carries now, or null when it carries none (or cannot be read). */
    RouteWeights weights();

    /**
     * A number that changes with every change of the routing spec (Kubernetes' {@code
     * metadata.generation}), 0 when the resource is missing. Recorded with each decision, it tells
     * a write interrupted by a restart (the spec is still at the recorded generation) from someone
     * else's change (it moved on).
     */
    long generation();

    /** Who last changed the routing other than the operator (a field manager), or null. */
    String lastEditor();
  }

  /** The outcome of one apply: the problem that stopped it, or whether a write happened. */
  record Outcome(TrafficProblem problem, boolean written) {}

  /** Reads the named routing resource and checks that it can be driven, without writing. */
  Snapshot read(String name, RouteTarget target);

  /** Makes the resource carry the given split; writes nothing when it already does. */
  Outcome apply(Snapshot snapshot, RouteTarget target, RouteWeights weights);
}
