package dev.canaryoperator.traffic;

import dev.canaryoperator.api.CanaryGroup;
import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.Destination;
import java.util.List;

/**
 * What the router drives in one VirtualService: which http routes, which destinations, and the
 * extras (canary group, canary headers). {@code owner} names the release in the routes it adds.
 */
public record RouteTarget(String owner, String namespace, List<String> routeNames, Destination stable,
    Destination canary, CanaryGroup canaryGroup, CanaryHeaders canaryHeaders) {
  public RouteTarget {
    routeNames = routeNames == null ? List.of() : List.copyOf(routeNames);
  }

  /** Name of the canary-group route added above the targeted route with the given index. */
  String groupRouteName(int targetIndex) {
    return "canaryoperator-" + owner + "-group-" + targetIndex;
  }

  String groupRoutePrefix() {
    return "canaryoperator-" + owner + "-group-";
  }
}
