package dev.canaryoperator.routing;

import dev.canaryoperator.api.CanaryGroup;
import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.Destination;
import java.util.List;

/**
 * What a router drives for one release: which routes, which destinations, and the extras (canary
 * group, canary headers). {@code owner} names the release in the routes a router adds.
 */
public record RouteTarget(
    String owner,
    String namespace,
    List<String> routeNames,
    Destination stable,
    Destination canary,
    CanaryGroup canaryGroup,
    CanaryHeaders canaryHeaders) {
  public RouteTarget {
    routeNames = routeNames == null ? List.of() : List.copyOf(routeNames);
  }
}
