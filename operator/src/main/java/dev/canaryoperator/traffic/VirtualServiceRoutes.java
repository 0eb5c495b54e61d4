package dev.canaryoperator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.RequestMatch;
import dev.canaryoperator.api.ServiceHost;
import dev.canaryoperator.api.StringMatch;
import dev.canaryoperator.routing.RouteTarget;
import dev.canaryoperator.routing.RouteWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and rewrites a VirtualService spec as a JSON tree, so that every field the operator does
 * not own (other routes and destinations, retries, timeouts, faults, mirrors, fields newer than our
 * Istio model) passes through untouched. Pure: the input is never modified.
 */
public final class VirtualServiceRoutes {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private VirtualServiceRoutes() {}

  /** The targeted http routes (by index), or why there are none. */
  public record Inspection(List<Integer> routeIndexes, String problem) {
    public boolean usable() {
      return problem == null;
    }
  }

  public static Inspection inspect(JsonNode spec, RouteTarget target) {
    JsonNode http = spec == null ? null : spec.get("http");
    if (http == null || !http.isArray() || http.isEmpty()) {
      return new Inspection(
          List.of(),
          "VirtualService has no http routes; add one that routes to " + target.stable().getHost());
    }
    List<Integer> indexes = new ArrayList<>();
    if (!target.routeNames().isEmpty()) {
      for (String name : target.routeNames()) {
        int index = indexOfRoute(http, name);
        if (index < 0) {
          return new Inspection(
              List.of(),
              "http route '"
                  + name
                  + "' named in spec.virtualService.routes does not exist in the VirtualService");
        }
        if (findDestination(http.get(index), target.stable(), target.namespace()) < 0) {
          return new Inspection(
              List.of(),
              "http route '"
                  + name
                  + "' has no destination for the stable "
                  + target.stable()
                  + "; fix spec.stable or the route");
        }
        indexes.add(index);
      }
    } else {
      for (int i = 0; i < http.size(); i++) {
        if (!isGroupRoute(http.get(i), target)
            && findDestination(http.get(i), target.stable(), target.namespace()) >= 0) {
          indexes.add(i);
        }
      }
      if (indexes.isEmpty()) {
        return new Inspection(
            List.of(),
            "no http route has a destination for the stable "
                + target.stable()
                + "; fix spec.stable or add the route");
      }
    }
    for (int index : indexes) {
      int others = otherWeights(http.get(index), target);
      if (others >= 100) {
        return new Inspection(
            List.of(),
            "http route "
                + describe(http.get(index), index)
                + " gives 100% to destinations other than stable and canary; nothing is left to split");
      }
    }
    return new Inspection(List.copyOf(indexes), null);
  }

  /** The split currently written in the first targeted route, if it can be read. */
  public static Optional<RouteWeights> observedWeights(JsonNode spec, RouteTarget target) {
    Inspection inspection = inspect(spec, target);
    if (!inspection.usable()) {
      return Optional.empty();
    }
    JsonNode route = spec.get("http").get(inspection.routeIndexes().get(0));
    int stable = weightOf(route, findDestination(route, target.stable(), target.namespace()));
    int canaryIndex = findDestination(route, target.canary(), target.namespace());
    int canary = canaryIndex < 0 ? 0 : weightOf(route, canaryIndex);
    int share = stable + canary;
    if (share <= 0) {
      return Optional.empty();
    }
    int canaryPercent = (int) Math.round(canary * 100.0 / share);
    return Optional.of(RouteWeights.canaryAt(canaryPercent));
  }

  /**
   * The spec with the stable/canary split set in every targeted route, the canary-group routes
   * present while the canary takes part of the traffic, and the canary headers set while it takes
   * any. Idempotent: rewriting a rewritten spec changes nothing.
   */
  public static ObjectNode rewrite(JsonNode spec, RouteTarget target, RouteWeights weights) {
    ObjectNode result = spec.deepCopy();
    ArrayNode http = (ArrayNode) result.get("http");
    removeGroupRoutes(http, target);
    Inspection inspection = inspect(result, target);
    if (!inspection.usable()) {
      throw new IllegalStateException(inspection.problem());
    }
    List<ObjectNode> targeted =
        inspection.routeIndexes().stream().map(i -> (ObjectNode) http.get(i)).toList();
    for (ObjectNode route : targeted) {
      setWeights(route, target, weights);
    }
    boolean splitting = weights.canary() > 0 && weights.stable() > 0;
    if (splitting && target.canaryGroup() != null && !target.canaryGroup().getMatch().isEmpty()) {
      for (int t = targeted.size() - 1; t >= 0; t--) {
        ObjectNode route = targeted.get(t);
        int at = indexOf(http, route);
        http.insert(at, groupRoute(route, target, t));
      }
    }
    return result;
  }

  private static void setWeights(ObjectNode route, RouteTarget target, RouteWeights weights) {
    ArrayNode destinations = (ArrayNode) route.get("route");
    int stableIndex = findDestination(route, target.stable(), target.namespace());
    int canaryIndex = findDestination(route, target.canary(), target.namespace());
    if (canaryIndex < 0) {
      ObjectNode added = JSON.objectNode();
      added.set("destination", destinationNode(target.canary()));
      destinations.insert(stableIndex + 1, added);
      canaryIndex = stableIndex + 1;
    }
    int share = 100 - otherWeights(route, target);
    int canary = (int) Math.round(share * weights.canary() / 100.0);
    ((ObjectNode) destinations.get(stableIndex)).put("weight", share - canary);
    ObjectNode canaryDestination = (ObjectNode) destinations.get(canaryIndex);
    canaryDestination.put("weight", canary);
    applyCanaryHeaders(canaryDestination, target, weights.canary() > 0);
  }

  private static void applyCanaryHeaders(
      ObjectNode destination, RouteTarget target, boolean present) {
    Map<String, String> wanted =
        target.canaryHeaders() == null ? Map.of() : target.canaryHeaders().getSet();
    if (wanted.isEmpty() && target.staleCanaryHeaders().isEmpty()) {
      return;
    }
    ObjectNode headers =
        destination.has("headers") ? (ObjectNode) destination.get("headers") : JSON.objectNode();
    ObjectNode request =
        headers.has("request") ? (ObjectNode) headers.get("request") : JSON.objectNode();
    ObjectNode set = request.has("set") ? (ObjectNode) request.get("set") : JSON.objectNode();
    for (Map.Entry<String, String> header : wanted.entrySet()) {
      if (present) {
        set.put(header.getKey(), header.getValue());
      } else {
        removeIfSetTo(set, header);
      }
    }
    for (Map.Entry<String, String> header : target.staleCanaryHeaders().entrySet()) {
      if (!wanted.containsKey(header.getKey())) {
        removeIfSetTo(set, header);
      }
    }
    if (set.isEmpty()) {
      request.remove("set");
    } else {
      request.set("set", set);
    }
    if (request.isEmpty()) {
      headers.remove("request");
    } else {
      headers.set("request", request);
    }
    if (headers.isEmpty()) {
      destination.remove("headers");
    } else {
      destination.set("headers", headers);
    }
  }

  /** Removes a header the operator set, unless someone has since set it to another value. */
  private static void removeIfSetTo(ObjectNode set, Map.Entry<String, String> header) {
    if (set.has(header.getKey()) && set.get(header.getKey()).asText().equals(header.getValue())) {
      set.remove(header.getKey());
    }
  }

  /**
   * A copy of the targeted route (retries, timeouts... included) that sends the group to the canary
   * only.
   */
  private static ObjectNode groupRoute(ObjectNode targeted, RouteTarget target, int targetIndex) {
    ObjectNode group = targeted.deepCopy();
    group.put("name", groupRouteName(target, targetIndex));
    ArrayNode matches = JSON.arrayNode();
    JsonNode original = targeted.get("match");
    for (RequestMatch wanted : target.canaryGroup().getMatch()) {
      if (original == null || !original.isArray() || original.isEmpty()) {
        matches.add(matchNode(JSON.objectNode(), wanted));
      } else {
        // Istio ORs the list and ANDs inside an entry: the group must also satisfy the route's own
        // match.
        for (JsonNode existing : original) {
          matches.add(matchNode(((ObjectNode) existing).deepCopy(), wanted));
        }
      }
    }
    group.set("match", matches);
    ArrayNode destinations = JSON.arrayNode();
    ObjectNode canary =
        ((ObjectNode)
                targeted
                    .get("route")
                    .get(findDestination(targeted, target.canary(), target.namespace())))
            .deepCopy();
    canary.remove("weight");
    destinations.add(canary);
    group.set("route", destinations);
    group.remove("mirror");
    group.remove("mirrorPercentage");
    group.remove("mirrors");
    return group;
  }

  private static ObjectNode matchNode(ObjectNode base, RequestMatch wanted) {
    if (!wanted.getHeaders().isEmpty()) {
      ObjectNode headers =
          base.has("headers") ? (ObjectNode) base.get("headers") : JSON.objectNode();
      wanted.getHeaders().forEach((name, m) -> headers.set(name, stringMatch(m)));
      base.set("headers", headers);
    }
    if (!wanted.getQueryParams().isEmpty()) {
      ObjectNode params =
          base.has("queryParams") ? (ObjectNode) base.get("queryParams") : JSON.objectNode();
      wanted.getQueryParams().forEach((name, m) -> params.set(name, stringMatch(m)));
      base.set("queryParams", params);
    }
    if (wanted.getUri() != null) {
      base.set("uri", stringMatch(wanted.getUri()));
    }
    return base;
  }

  private static ObjectNode stringMatch(StringMatch m) {
    ObjectNode node = JSON.objectNode();
    if (m.getExact() != null) node.put("exact", m.getExact());
    if (m.getPrefix() != null) node.put("prefix", m.getPrefix());
    if (m.getRegex() != null) node.put("regex", m.getRegex());
    return node;
  }

  private static ObjectNode destinationNode(Destination d) {
    ObjectNode node = JSON.objectNode();
    node.put("host", d.getHost());
    if (d.getSubset() != null) {
      node.put("subset", d.getSubset());
    }
    if (d.getPort() != null) {
      node.putObject("port").put("number", d.getPort());
    }
    return node;
  }

  private static void removeGroupRoutes(ArrayNode http, RouteTarget target) {
    for (int i = http.size() - 1; i >= 0; i--) {
      if (isGroupRoute(http.get(i), target)) {
        http.remove(i);
      }
    }
  }

  private static boolean isGroupRoute(JsonNode route, RouteTarget target) {
    return route.path("name").asText("").startsWith(groupRoutePrefix(target));
  }

  static int findDestination(JsonNode route, Destination wanted, String namespace) {
    JsonNode destinations = route.get("route");
    if (destinations == null || !destinations.isArray()) {
      return -1;
    }
    for (int i = 0; i < destinations.size(); i++) {
      JsonNode d = destinations.get(i).path("destination");
      String host = d.path("host").asText(null);
      if (host == null
          || !ServiceHost.of(host, namespace)
              .fqdn()
              .equals(ServiceHost.of(wanted.getHost(), namespace).fqdn())) {
        continue;
      }
      String subset = d.hasNonNull("subset") ? d.get("subset").asText() : null;
      if (!java.util.Objects.equals(subset, wanted.getSubset())) {
        continue;
      }
      if (wanted.getPort() != null && d.path("port").path("number").asInt(-1) != wanted.getPort()) {
        continue;
      }
      return i;
    }
    return -1;
  }

  private static int otherWeights(JsonNode route, RouteTarget target) {
    int stable = findDestination(route, target.stable(), target.namespace());
    int canary = findDestination(route, target.canary(), target.namespace());
    int sum = 0;
    JsonNode destinations = route.get("route");
    for (int i = 0; i < destinations.size(); i++) {
      if (i != stable && i != canary) {
        sum += destinations.get(i).path("weight").asInt(0);
      }
    }
    return sum;
  }

  private static int weightOf(JsonNode route, int index) {
    JsonNode destination = route.get("route").get(index);
    // A route with a single destination and no weight sends it everything.
    if (!destination.has("weight")) {
      return route.get("route").size() == 1 ? 100 : 0;
    }
    return destination.get("weight").asInt();
  }

  private static int indexOfRoute(JsonNode http, String name) {
    for (int i = 0; i < http.size(); i++) {
      if (name.equals(http.get(i).path("name").asText(null))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(ArrayNode http, JsonNode route) {
    for (int i = 0; i < http.size(); i++) {
      if (http.get(i) == route) {
        return i;
      }
    }
    throw new IllegalStateException("route vanished during rewrite");
  }

  private static String describe(JsonNode route, int index) {
    return route.hasNonNull("name") ? "'" + route.get("name").asText() + "'" : "#" + index;
  }

  /** Name of the canary-group route added above the targeted route with the given index. */
  static String groupRouteName(RouteTarget target, int targetIndex) {
    return groupRoutePrefix(target) + targetIndex;
  }

  private static String groupRoutePrefix(RouteTarget target) {
    return "canaryoperator-" + target.owner() + "-group-";
  }
}
