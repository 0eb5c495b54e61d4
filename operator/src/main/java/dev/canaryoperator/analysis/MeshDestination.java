package dev.canaryoperator.analysis;

import java.util.Map;

/**
 * One side as Istio's destination labels name it: a Service, and a subset's version when the split
 * is by subset. Sides named this way can share one grouped query with other releases' sides.
 *
 * @param version destination_version, or null for every version of the Service
 */
record MeshDestination(String namespace, String service, String version) {
  static final String NAMESPACE = "destination_service_namespace";
  static final String SERVICE = "destination_service_name";
  static final String VERSION = "destination_version";

  /** True for a series (its labels) of this destination. */
  boolean matches(Map<String, String> labels) {
    return namespace.equals(labels.get(NAMESPACE))
        && service.equals(labels.get(SERVICE))
        && (version == null || version.equals(labels.get(VERSION)));
  }
}
