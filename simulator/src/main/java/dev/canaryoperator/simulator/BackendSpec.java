package dev.canaryoperator.simulator;

import java.util.Objects;

/**
 * Which destination a backend plays and how it is labelled in metrics. {@code workload}, {@code
 * version} and {@code app} may be null and then default as follows: the version is the subset, else
 * "unknown" (what Istio reports for a pod without a version label); the app is the service's short
 * name; the workload is {@code <service>-<subset>}, else the service name.
 */
public record BackendSpec(
    String name, String host, String subset, String workload, String version, String app) {

  public BackendSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("backend name must be alphanumeric (with - _ .): " + name);
    }
    subset = blankToNull(subset);
    workload = blankToNull(workload);
    version = blankToNull(version);
    app = blankToNull(app);
  }

  public static BackendSpec of(String name, String host, String subset) {
    return new BackendSpec(name, host, subset, null, null, null);
  }

  public BackendSpec withWorkload(String workload) {
    return new BackendSpec(name, host, subset, workload, version, app);
  }

  public BackendSpec withVersion(String version) {
    return new BackendSpec(name, host, subset, workload, version, app);
  }

  public BackendSpec withApp(String app) {
    return new BackendSpec(name, host, subset, workload, version, app);
  }

  public Destination destination(String namespace) {
    return new Destination(ServiceHost.resolve(host, namespace), subset, null);
  }

  public DestinationWorkload workloadIn(String namespace) {
    ServiceHost service = ServiceHost.resolve(host, namespace);
    String v = version != null ? version : subset != null ? subset : "unknown";
    String a = app != null ? app : service.name();
    String w =
        workload != null
            ? workload
            : subset != null ? service.name() + "-" + subset : service.name();
    return new DestinationWorkload(
        service,
        w,
        service.namespace(),
        a,
        v,
        a,
        v.equals("unknown")
            ? "latest"
            : v, // Istio's canonical revision when no version label exists
        "spiffe://cluster.local/ns/" + service.namespace() + "/sa/" + a,
        "Kubernetes");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
