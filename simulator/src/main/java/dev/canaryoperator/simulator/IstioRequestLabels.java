package dev.canaryoperator.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The label set of one {@code istio_requests_total} / {@code istio_request_duration_milliseconds}
 * series, as a destination sidecar reports it (reporter="destination"), in the order Istio's stats
 * filter emits the labels.
 */
public record IstioRequestLabels(
    SourceWorkload source,
    DestinationWorkload destination,
    String requestProtocol,
    int responseCode,
    String responseFlags,
    String connectionSecurityPolicy) {

  public static IstioRequestLabels http(
      SourceWorkload source, DestinationWorkload destination, int responseCode) {
    // "-" = no Envoy response flag: the application itself answered, even with a 5xx.
    // Sidecar-to-sidecar traffic in a mesh with default PeerAuthentication is mTLS.
    return new IstioRequestLabels(source, destination, "http", responseCode, "-", "mutual_tls");
  }

  public List<Map.Entry<String, String>> ordered() {
    List<Map.Entry<String, String>> l = new ArrayList<>(25);
    l.add(Map.entry("reporter", "destination"));
    l.add(Map.entry("source_workload", source.workload()));
    l.add(Map.entry("source_canonical_service", source.canonicalService()));
    l.add(Map.entry("source_canonical_revision", source.canonicalRevision()));
    l.add(Map.entry("source_workload_namespace", source.namespace()));
    l.add(Map.entry("source_principal", source.principal()));
    l.add(Map.entry("source_app", source.app()));
    l.add(Map.entry("source_version", source.version()));
    l.add(Map.entry("source_cluster", source.cluster()));
    l.add(Map.entry("destination_workload", destination.workload()));
    l.add(Map.entry("destination_workload_namespace", destination.workloadNamespace()));
    l.add(Map.entry("destination_principal", destination.principal()));
    l.add(Map.entry("destination_app", destination.app()));
    l.add(Map.entry("destination_version", destination.version()));
    l.add(Map.entry("destination_service", destination.service().fqdn()));
    l.add(Map.entry("destination_canonical_service", destination.canonicalService()));
    l.add(Map.entry("destination_canonical_revision", destination.canonicalRevision()));
    l.add(Map.entry("destination_service_name", destination.service().name()));
    l.add(Map.entry("destination_service_namespace", destination.service().namespace()));
    l.add(Map.entry("destination_cluster", destination.cluster()));
    l.add(Map.entry("request_protocol", requestProtocol));
    l.add(Map.entry("response_code", Integer.toString(responseCode)));
    l.add(Map.entry("grpc_response_status", ""));
    l.add(Map.entry("response_flags", responseFlags));
    l.add(Map.entry("connection_security_policy", connectionSecurityPolicy));
    return l;
  }
}
