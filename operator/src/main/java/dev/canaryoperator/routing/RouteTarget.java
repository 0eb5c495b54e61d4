package dev.canaryoperator.routing;

import dev.canaryoperator.api.CanaryGroup;
import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.Destination;
import java.util.List;
import java.util.Map;

/**
 * What a router drives for one release: which routes, which destinations, and the extras (canary
 * group, canary headers). {@code owner} names the release in the routes a router adds; {@code
 * staleCanaryHeaders} are headers it set before that the spec no longer asks for, to be removed.
 */
public record RouteTarget(
    String owner,
    String namespace,
    List<String> routeNames,
    Destination stable,
    Destination canary,
    CanaryGroup canaryGroup,
    CanaryHeaders canaryHeaders,
    Map<String, String> staleCanaryHeaders) {
  public RouteTarget {
    routeNames = routeNames == null ? List.of() : List.copyOf(routeNames);
    staleCanaryHeaders = staleCanaryHeaders == null ? Map.of() : Map.copyOf(staleCanaryHeaders);
  }

  public RouteTarget(
      String owner,
      String namespace,
      List<String> routeNames,
      Destination stable,
      Destination canary,
      CanaryGroup canaryGroup,
      CanaryHeaders canaryHeaders) {
    this(owner, namespace, routeNames, stable, canary, canaryGroup, canaryHeaders, Map.of());
  }

  /** The same target without anything the operator adds: no canary group, no canary headers. */
  public RouteTarget withoutExtras() {
    Map<String, String> stale = new java.util.HashMap<>(staleCanaryHeaders);
    if (canaryHeaders != null) {
      stale.putAll(canaryHeaders.getSet());
    }
    return new RouteTarget(owner, namespace, routeNames, stable, canary, null, null, stale);
  }
}
