package dev.canaryoperator.simulator;

/** The server side of Istio's request labels: the service and the workload behind it. */
public record DestinationWorkload(
    ServiceHost service,
    String workload,
    String workloadNamespace,
    String app,
    String version,
    String canonicalService,
    String canonicalRevision,
    String principal,
    String cluster) {}
