package dev.canaryoperator.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.api.CanaryGroup;
import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.RequestMatch;
import dev.canaryoperator.routing.RouteTarget;
import dev.canaryoperator.routing.RouteWeights;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestinationBuilder;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualServiceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualServiceRoutesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Destination STABLE = new Destination("reviews-stable", null, null);
  static final Destination CANARY = new Destination("reviews-canary", null, null);

  static RouteTarget target() {
    return new RouteTarget("reviews", "bookinfo", List.of(), STABLE, CANARY, null, null);
  }

  static RouteTarget target(
      List<String> routes,
      Destination stable,
      Destination canary,
      CanaryGroup group,
      CanaryHeaders headers) {
    return new RouteTarget("reviews", "bookinfo", routes, stable, canary, group, headers);
  }

  static HTTPRouteDestination to(String host, Integer weight) {
    return new HTTPRouteDestinationBuilder()
        .withNewDestination()
        .withHost(host)
        .endDestination()
        .withWeight(weight)
        .build();
  }

  static HTTPRouteDestination to(String host, String subset, Integer port, Integer weight) {
    var b =
        new HTTPRouteDestinationBuilder().withNewDestination().withHost(host).withSubset(subset);
    if (port != null) {
      b = b.withNewPort().withNumber(port.longValue()).endPort();
    }
    return b.endDestination().withWeight(weight).build();
  }

  static HTTPRoute route(String name, HTTPRouteDestination... destinations) {
    return new HTTPRouteBuilder().withName(name).withRoute(destinations).build();
  }

  static JsonNode spec(HTTPRoute... routes) {
    VirtualService spec =
        new VirtualServiceBuilder()
            .withHosts("reviews")
            .withGateways("mesh")
            .withHttp(routes)
            .build();
    return JSON.valueToTree(spec);
  }

  static List<Integer> weights(JsonNode spec, int route) {
    List<Integer> weights = new java.util.ArrayList<>();
    spec.get("http").get(route).get("route").forEach(d -> weights.add(d.path("weight").asInt(-1)));
    return weights;
  }

  /** A route with everything a real one may carry besides weights. */
  static HTTPRoute richRoute() {
    return new HTTPRouteBuilder()
        .withName("primary")
        .withNewRetries()
        .withAttempts(3)
        .withPerTryTimeout("2s")
        .withRetryOn("5xx")
        .endRetries()
        .withTimeout("10s")
        .withNewFault()
        .withNewDelay()
        .withNewPercentage(10.0)
        .endDelay()
        .endFault()
        .withNewMirror()
        .withHost("reviews-shadow")
        .endMirror()
        .withNewHeaders()
        .withNewRequest()
        .addToSet("x-route", "primary")
        .endRequest()
        .endHeaders()
        .withRoute(to("reviews-stable", 100), to("reviews-canary", 0))
        .build();
  }

  @Test
  void writesOnlyTheTwoWeightsAndKeepsRetriesTimeoutsFaultsMirrorsAndHeaders() {
    JsonNode before = spec(richRoute());
    JsonNode after = VirtualServiceRoutes.rewrite(before, target(), RouteWeights.canaryAt(25));

    assertThat(weights(after, 0)).containsExactly(75, 25);
    JsonNode expected = before.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            expected.get("http").get(0).get("route").get(0))
        .put("weight", 75);
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            expected.get("http").get(0).get("route").get(1))
        .put("weight", 25);
    assertThat(after).isEqualTo(expected);
  }

  @Test
  void neverModifiesItsInputAndIsIdempotent() {
    JsonNode before = spec(route("primary", to("reviews-stable", 100)));
    JsonNode copy = before.deepCopy();
    JsonNode once = VirtualServiceRoutes.rewrite(before, target(), RouteWeights.canaryAt(10));
    JsonNode twice = VirtualServiceRoutes.rewrite(once, target(), RouteWeights.canaryAt(10));
    assertThat(before).isEqualTo(copy);
    assertThat(twice).isEqualTo(once);
  }

  @Test
  void addsTheCanaryDestinationRightAfterTheStableWhenItIsMissing() {
    JsonNode before = spec(route("primary", to("reviews-stable", "v1", 9080, null)));
    RouteTarget target =
        target(
            List.of(),
            new Destination("reviews-stable", "v1", 9080),
            new Destination("reviews-canary", "v2", 9080),
            null,
            null);
    JsonNode after = VirtualServiceRoutes.rewrite(before, target, RouteWeights.canaryAt(5));

    JsonNode added = after.get("http").get(0).get("route").get(1);
    assertThat(added.get("destination").get("host").asText()).isEqualTo("reviews-canary");
    assertThat(added.get("destination").get("subset").asText()).isEqualTo("v2");
    assertThat(added.get("destination").get("port").get("number").asInt()).isEqualTo(9080);
    assertThat(weights(after, 0)).containsExactly(95, 5);
  }

  @Test
  void drivesEveryRouteToTheStableHostAndLeavesOtherRoutesAlone() {
    HTTPRoute api =
        new HTTPRouteBuilder(route("api", to("reviews-stable", 90), to("reviews-canary", 10)))
            .addNewMatch()
            .withNewUri()
            .withNewStringMatchPrefixType("/api")
            .endUri()
            .endMatch()
            .build();
    HTTPRoute ratings = route("ratings", to("ratings", 100));
    HTTPRoute fallback = route("fallback", to("reviews-stable", null));
    JsonNode after =
        VirtualServiceRoutes.rewrite(
            spec(api, ratings, fallback), target(), RouteWeights.canaryAt(50));

    assertThat(weights(after, 0)).containsExactly(50, 50);
    assertThat(after.get("http").get(1)).isEqualTo(spec(ratings).get("http").get(0));
    assertThat(weights(after, 2)).containsExactly(50, 50);
  }

  @Test
  void namedRoutesRestrictWhichRoutesAreDriven() {
    JsonNode before =
        spec(
            route("primary", to("reviews-stable", 100)),
            route("internal", to("reviews-stable", 100)));
    JsonNode after =
        VirtualServiceRoutes.rewrite(
            before,
            target(List.of("internal"), STABLE, CANARY, null, null),
            RouteWeights.canaryAt(10));
    assertThat(weights(after, 0)).containsExactly(100);
    assertThat(weights(after, 1)).containsExactly(90, 10);
  }

  @Test
  void extraDestinationsKeepTheirWeightAndStableAndCanaryShareTheRest() {
    JsonNode before =
        spec(
            route(
                "primary",
                to("reviews-stable", 60),
                to("reviews-legacy", 20),
                to("reviews-canary", 20)));
    JsonNode after = VirtualServiceRoutes.rewrite(before, target(), RouteWeights.canaryAt(25));
    assertThat(weights(after, 0)).containsExactly(60, 20, 20);

    for (int canary = 0; canary <= 100; canary++) {
      List<Integer> w =
          weights(VirtualServiceRoutes.rewrite(before, target(), RouteWeights.canaryAt(canary)), 0);
      assertThat(w).allSatisfy(x -> assertThat(x).isBetween(0, 100));
      assertThat(w.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
      assertThat(w.get(1)).isEqualTo(20);
    }
  }

  @Test
  void subsetsOfOneHostAreTwoDestinations() {
    JsonNode before =
        spec(route("primary", to("reviews", "v1", null, 100), to("reviews", "v2", null, 0)));
    RouteTarget target =
        target(
            List.of(),
            new Destination("reviews", "v1", null),
            new Destination("reviews", "v2", null),
            null,
            null);
    assertThat(weights(VirtualServiceRoutes.rewrite(before, target, RouteWeights.canaryAt(10)), 0))
        .containsExactly(90, 10);
  }

  @Test
  void portsAreMatchedWhenGiven() {
    JsonNode before =
        spec(route("primary", to("reviews", null, 9080, 50), to("reviews", null, 9090, 50)));
    RouteTarget target =
        target(
            List.of(),
            new Destination("reviews", null, 9080),
            new Destination("reviews", null, 9090),
            null,
            null);
    assertThat(weights(VirtualServiceRoutes.rewrite(before, target, RouteWeights.canaryAt(5)), 0))
        .containsExactly(95, 5);
  }

  @Test
  void shortAndFullyQualifiedHostsNameTheSameService() {
    JsonNode before =
        spec(
            route(
                "primary",
                to("reviews-stable.bookinfo.svc.cluster.local", 100),
                to("reviews-canary.bookinfo", 0)));
    assertThat(
            weights(VirtualServiceRoutes.rewrite(before, target(), RouteWeights.canaryAt(10)), 0))
        .containsExactly(90, 10);
    JsonNode otherNamespace =
        spec(route("primary", to("reviews-stable.other.svc.cluster.local", 100)));
    assertThat(VirtualServiceRoutes.inspect(otherNamespace, target()).usable()).isFalse();
  }

  @Test
  void theCanaryGroupRouteSitsAboveTheTargetedRouteWhileTheCanaryTakesPartOfTheTraffic() {
    HTTPRoute api =
        new HTTPRouteBuilder(richRoute())
            .addNewMatch()
            .withNewUri()
            .withNewStringMatchPrefixType("/api")
            .endUri()
            .endMatch()
            .build();
    CanaryGroup group = new CanaryGroup(List.of(RequestMatch.header("x-canary", "true")));
    RouteTarget target = target(List.of(), STABLE, CANARY, group, null);
    JsonNode after =
        VirtualServiceRoutes.rewrite(
            spec(route("other", to("ratings", 100)), api), target, RouteWeights.canaryAt(10));

    assertThat(after.get("http")).hasSize(3);
    JsonNode groupRoute = after.get("http").get(1);
    assertThat(groupRoute.get("name").asText()).isEqualTo("canaryoperator-reviews-group-0");
    assertThat(groupRoute.get("match").get(0).get("uri").get("prefix").asText()).isEqualTo("/api");
    assertThat(groupRoute.get("match").get(0).get("headers").get("x-canary").get("exact").asText())
        .isEqualTo("true");
    assertThat(groupRoute.get("route")).hasSize(1);
    assertThat(groupRoute.get("route").get(0).get("destination").get("host").asText())
        .isEqualTo("reviews-canary");
    assertThat(groupRoute.get("retries")).isEqualTo(after.get("http").get(2).get("retries"));
    assertThat(groupRoute.has("mirror")).as("no mirroring of the group's traffic").isFalse();
    assertThat(weights(after, 2)).containsExactly(90, 10);

    JsonNode rolledBack = VirtualServiceRoutes.rewrite(after, target, RouteWeights.ALL_STABLE);
    assertThat(rolledBack.get("http")).hasSize(2);
    assertThat(weights(rolledBack, 1)).containsExactly(100, 0);
    JsonNode promoted = VirtualServiceRoutes.rewrite(after, target, RouteWeights.ALL_CANARY);
    assertThat(promoted.get("http")).hasSize(2);
  }

  @Test
  void canaryHeadersAreSetWhileTheCanaryTakesTrafficAndRemovedAtZeroKeepingOthers() {
    HTTPRoute r =
        route(
            "primary",
            to("reviews-stable", 100),
            new HTTPRouteDestinationBuilder(to("reviews-canary", 0))
                .withNewHeaders()
                .withNewRequest()
                .addToSet("x-team", "a")
                .endRequest()
                .endHeaders()
                .build());
    RouteTarget target =
        target(
            List.of(),
            STABLE,
            CANARY,
            null,
            new CanaryHeaders(Map.of("x-release-track", "canary")));
    JsonNode live = VirtualServiceRoutes.rewrite(spec(r), target, RouteWeights.canaryAt(5));
    JsonNode set =
        live.get("http").get(0).get("route").get(1).get("headers").get("request").get("set");
    assertThat(set.get("x-release-track").asText()).isEqualTo("canary");
    assertThat(set.get("x-team").asText()).isEqualTo("a");

    JsonNode back = VirtualServiceRoutes.rewrite(live, target, RouteWeights.ALL_STABLE);
    JsonNode setAfter =
        back.get("http").get(0).get("route").get(1).get("headers").get("request").get("set");
    assertThat(setAfter.has("x-release-track")).isFalse();
    assertThat(setAfter.get("x-team").asText()).isEqualTo("a");
  }

  @Test
  void leftoversTheSpecNoLongerAsksForAreRemovedMidRollout() {
    HTTPRoute r =
        route(
            "primary",
            to("reviews-stable", 100),
            new HTTPRouteDestinationBuilder(to("reviews-canary", 0))
                .withNewHeaders()
                .withNewRequest()
                .addToSet("x-team", "a")
                .endRequest()
                .endHeaders()
                .build());
    CanaryGroup group = new CanaryGroup(List.of(RequestMatch.header("x-canary", "true")));
    RouteTarget everything =
        target(List.of(), STABLE, CANARY, group, new CanaryHeaders(Map.of("x-track", "canary")));
    JsonNode live = VirtualServiceRoutes.rewrite(spec(r), everything, RouteWeights.canaryAt(25));
    assertThat(live.get("http")).hasSize(2);

    // canaryGroup and canaryHeaders dropped from the spec; the status remembers the header set
    RouteTarget trimmed =
        new RouteTarget(
            "reviews",
            "bookinfo",
            List.of(),
            STABLE,
            CANARY,
            null,
            null,
            Map.of("x-track", "canary"));
    JsonNode after = VirtualServiceRoutes.rewrite(live, trimmed, RouteWeights.canaryAt(25));
    assertThat(after.get("http")).as("the group route is gone").hasSize(1);
    JsonNode set =
        after.get("http").get(0).get("route").get(1).get("headers").get("request").get("set");
    assertThat(set.has("x-track")).as("the dropped canary header is gone").isFalse();
    assertThat(set.get("x-team").asText()).as("a header someone else set stays").isEqualTo("a");
    assertThat(weights(after, 0)).containsExactly(75, 25);
  }

  @Test
  void observedWeightsReadTheSplitBack() {
    JsonNode s = spec(route("primary", to("reviews-stable", 75), to("reviews-canary", 25)));
    assertThat(VirtualServiceRoutes.observedWeights(s, target()))
        .contains(RouteWeights.canaryAt(25));
    assertThat(
            VirtualServiceRoutes.observedWeights(
                spec(route("p", to("reviews-stable", null))), target()))
        .contains(RouteWeights.ALL_STABLE);
  }

  @Test
  void unusableVirtualServicesAreRefusedWithAReasonAndNeverRewritten() {
    assertThat(
            VirtualServiceRoutes.inspect(spec(route("p", to("ratings", 100))), target()).problem())
        .contains("no http route has a destination for the stable reviews-stable");
    assertThat(
            VirtualServiceRoutes.inspect(
                    spec(route("p", to("reviews-stable", 100))),
                    target(List.of("missing"), STABLE, CANARY, null, null))
                .problem())
        .contains("'missing'");
    assertThat(VirtualServiceRoutes.inspect(JSON.createObjectNode(), target()).problem())
        .contains("no http routes");
    JsonNode full = spec(route("p", to("reviews-stable", 0), to("reviews-legacy", 100)));
    assertThat(VirtualServiceRoutes.inspect(full, target()).problem())
        .contains("nothing is left to split");
    assertThatThrownBy(() -> VirtualServiceRoutes.rewrite(full, target(), RouteWeights.canaryAt(5)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void weightsAreNeverNegativeAndAlwaysSumTo100() {
    assertThatThrownBy(() -> new RouteWeights(-1, 101))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RouteWeights(50, 49)).isInstanceOf(IllegalArgumentException.class);
    assertThat(RouteWeights.canaryAt(5)).isEqualTo(new RouteWeights(95, 5));
  }
}
