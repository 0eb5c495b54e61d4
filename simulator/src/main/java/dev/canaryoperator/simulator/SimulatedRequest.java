package dev.canaryoperator.simulator;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of a generated request that VirtualService matches can look at. Header names are
 * lower-cased because HTTP header names are case-insensitive and Istio requires lower-case names in
 * matches.
 */
public record SimulatedRequest(String method, String path, Map<String, String> headers) {

  public SimulatedRequest {
    TreeMap<String, String> lower = new TreeMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
  }

  public static SimulatedRequest get(String path, Map<String, String> headers) {
    return new SimulatedRequest("GET", path, headers);
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
