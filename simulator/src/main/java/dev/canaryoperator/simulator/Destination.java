package dev.canaryoperator.simulator;

import java.util.Objects;

/**
 * Where a route sends traffic: a service and, optionally, a DestinationRule subset. The port is
 * kept for display only; backends are told apart by host and subset, as Istio tells clusters apart.
 */
public record Destination(ServiceHost host, String subset, Long port) {

  public Destination {
    Objects.requireNonNull(host, "host");
    subset = subset == null || subset.isBlank() ? null : subset;
  }

  public boolean sameTarget(Destination other) {
    return host.fqdn().equals(other.host.fqdn()) && Objects.equals(subset, other.subset);
  }

  @Override
  public String toString() {
    return host.fqdn() + (subset == null ? "" : "/" + subset) + (port == null ? "" : ":" + port);
  }
}
