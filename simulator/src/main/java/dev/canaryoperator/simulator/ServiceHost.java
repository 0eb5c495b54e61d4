package dev.canaryoperator.simulator;

import java.util.Objects;

/**
 * A Kubernetes service as Istio names it in metrics: the fully qualified host, the short name and
 * the namespace.
 *
 * <p>Resolution follows Istio's rule for VirtualService hosts: a name without dots is short and
 * belongs to the namespace of the rule; {@code name.ns.svc.<domain>} names its namespace; any other
 * dotted name is taken literally, and we attribute it to the default namespace because Istio would
 * not find a Kubernetes service for it anyway.
 */
public record ServiceHost(String fqdn, String name, String namespace) {

  static final String CLUSTER_DOMAIN = "cluster.local";

  public ServiceHost {
    Objects.requireNonNull(fqdn, "fqdn");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
  }

  public static ServiceHost resolve(String host, String defaultNamespace) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("destination host must not be empty");
    }
    String h = host.trim().toLowerCase(java.util.Locale.ROOT);
    String[] labels = h.split("\\.");
    if (labels.length == 1) {
      return new ServiceHost(
          h + "." + defaultNamespace + ".svc." + CLUSTER_DOMAIN, h, defaultNamespace);
    }
    if (labels.length >= 3 && labels[2].equals("svc")) {
      String fqdn = labels.length == 3 ? h + "." + CLUSTER_DOMAIN : h;
      return new ServiceHost(fqdn, labels[0], labels[1]);
    }
    return new ServiceHost(h, labels[0], defaultNamespace);
  }
}
