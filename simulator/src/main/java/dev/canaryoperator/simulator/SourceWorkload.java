package dev.canaryoperator.simulator;

/** The client side of Istio's request labels: who sends the traffic (here, the load generator). */
public record SourceWorkload(
    String workload,
    String namespace,
    String app,
    String version,
    String canonicalService,
    String canonicalRevision,
    String principal,
    String cluster) {

  /** The identity the simulator's load generator reports, as a pod without version label would. */
  public static SourceWorkload loadGenerator(String namespace) {
    return new SourceWorkload(
        "loadgenerator",
        namespace,
        "loadgenerator",
        "unknown",
        "loadgenerator",
        "latest",
        "spiffe://cluster.local/ns/" + namespace + "/sa/loadgenerator",
        "Kubernetes");
  }
}
