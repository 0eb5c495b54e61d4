package dev.canaryoperator.api;

/**
 * The Service a destination host names. Istio lets a host be written short ("reviews", resolved in
 * the VirtualService's namespace), namespace-qualified ("reviews.bookinfo") or fully qualified
 * ("reviews.bookinfo.svc.cluster.local"); all three are one Service. Any other dotted name is an
 * external host, kept as written.
 *
 * @param name the Service name ("reviews")
 * @param namespace its namespace
 * @param fqdn the one spelling all forms share, for comparing hosts
 */
public record ServiceHost(String name, String namespace, String fqdn) {

  public static ServiceHost of(String host, String defaultNamespace) {
    String[] parts = host.split("\\.");
    if (parts.length == 1) {
      return new ServiceHost(
          host, defaultNamespace, host + "." + defaultNamespace + ".svc.cluster.local");
    }
    if (parts.length == 2 || parts[2].equals("svc")) {
      return new ServiceHost(parts[0], parts[1], parts[0] + "." + parts[1] + ".svc.cluster.local");
    }
    return new ServiceHost(parts[0], defaultNamespace, host);
  }
}
