package dev.canaryoperator.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedRouterTest {

  private static final SimulatedRequest PLAIN = SimulatedRequest.get("/", Map.of());
  private static final SimulatedRequest CANARY_GROUP =
      SimulatedRequest.get("/", Map.of("X-Canary", "true"));

  private static WeightedRouter router(String vsYaml) {
    WeightedRouter router = new WeightedRouter(new Random(42));
    router.install(RouteTable.from(VirtualServices.yaml(vsYaml), "bookinfo"));
    return router;
  }

  private static WeightedRouter router(int stable, int canary) {
    WeightedRouter router = new WeightedRouter(new Random(42));
    router.install(RouteTable.from(VirtualServices.split(stable, canary), "bookinfo"));
    return router;
  }

  /** Counts per destination host over n draws; unrouted requests count under "unrouted". */
  private static Map<String, Integer> draw(WeightedRouter router, SimulatedRequest request, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(hostOf(router.route(request)), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void splitFollowsWeights() {
    int n = 100_000;
    Map<String, Integer> counts = draw(router(90, 10), PLAIN, n);
    // binomial sd at p=0.1, n=1e5 is 0.00095: 0.005 is more than 5 sd
    assertThat(counts.get("reviews-canary") / (double) n).isCloseTo(0.10, within(0.005));
    assertThat(counts.get("reviews-stable") + counts.get("reviews-canary")).isEqualTo(n);
  }

  @Test
  void unevenSplitFollowsWeights() {
    int n = 100_000;
    Map<String, Integer> counts = draw(router(75, 25), PLAIN, n);
    assertThat(counts.get("reviews-canary") / (double) n).isCloseTo(0.25, within(0.007));
  }

  @Test
  void zeroWeightNeverGetsTraffic() {
    assertThat(draw(router(100, 0), PLAIN, 10_000))
        .containsOnly(Map.entry("reviews-stable", 10_000));
    assertThat(draw(router(0, 100), PLAIN, 10_000))
        .containsOnly(Map.entry("reviews-canary", 10_000));
  }

  @Test
  void headerMatchRouteWinsWhateverTheWeights() {
    WeightedRouter router = router(100, 0);
    assertThat(draw(router, CANARY_GROUP, 1000)).containsOnly(Map.entry("reviews-canary", 1000));
    assertThat(router.route(CANARY_GROUP))
        .isEqualTo(
            new RoutingDecision.Routed(
                "canary-group",
                new Destination(ServiceHost.resolve("reviews-canary", "bookinfo"), "v2", null)));
    // a different value of the header is not the canary group
    assertThat(draw(router, SimulatedRequest.get("/", Map.of("x-canary", "false")), 1000))
        .containsOnly(Map.entry("reviews-stable", 1000));
  }

  @Test
  void singleDestinationWithoutWeightTakesEverything() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - route:
            - destination: {host: reviews}
        """);
    assertThat(draw(router, PLAIN, 1000)).containsOnly(Map.entry("reviews", 1000));
    assertThat(router.table().routes().get(0).name()).isEqualTo("http[0]");
  }

  @Test
  void missingWeightBesideWeightedDestinationsCountsAsZero() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - route:
            - destination: {host: reviews-stable}
              weight: 100
            - destination: {host: reviews-canary}
        """);
    assertThat(draw(router, PLAIN, 1000)).containsOnly(Map.entry("reviews-stable", 1000));
  }

  @Test
  void routeWithOnlyZeroWeightsRoutesNothing() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - name: broken
            route:
            - destination: {host: reviews-stable}
              weight: 0
            - destination: {host: reviews-canary}
              weight: 0
        """);
    assertThat(router.route(PLAIN)).isInstanceOf(RoutingDecision.Unrouted.class);
  }

  @Test
  void prefixRegexAndWithoutHeadersMatchAsIstioDoes() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - name: testers
            match:
            - headers:
                x-user: {prefix: "tester-"}
              withoutHeaders:
                x-opt-out: {}
            - headers:
                x-region: {regex: "eu-(west|north)-[0-9]"}
            route:
            - destination: {host: reviews-canary}
          - route:
            - destination: {host: reviews-stable}
        """);
    assertThat(target(router, Map.of("x-user", "tester-7"))).isEqualTo("reviews-canary");
    assertThat(target(router, Map.of("x-user", "tester-7", "x-opt-out", "1")))
        .isEqualTo("reviews-stable");
    assertThat(target(router, Map.of("x-user", "customer-7"))).isEqualTo("reviews-stable");
    assertThat(target(router, Map.of("x-region", "eu-west-1"))).isEqualTo("reviews-canary");
    // regex is a full match, not a search
    assertThat(target(router, Map.of("x-region", "eu-west-12"))).isEqualTo("reviews-stable");
    assertThat(target(router, Map.of())).isEqualTo("reviews-stable");
  }

  @Test
  void matchOnSomethingTheSimulatorCannotJudgeNeverMatches() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - match:
            - queryParams:
                canary: {exact: "1"}
            route:
            - destination: {host: reviews-canary}
          - route:
            - destination: {host: reviews-stable}
        """);
    assertThat(target(router, Map.of())).isEqualTo("reviews-stable");
    assertThat(router.table().routes().get(0).matches().get(0).unsupported())
        .containsExactly("queryParams");
  }

  @Test
  void noMatchingRouteIsUnrouted() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - match:
            - uri: {prefix: /api}
            route:
            - destination: {host: reviews}
        """);
    assertThat(router.route(PLAIN)).isEqualTo(new RoutingDecision.Unrouted("no route matched"));
    assertThat(router.route(SimulatedRequest.get("/api/v1", Map.of())))
        .isInstanceOf(RoutingDecision.Routed.class);
  }

  @Test
  void newTableTakesEffectForTheNextRequest() {
    WeightedRouter router = router(100, 0);
    assertThat(draw(router, PLAIN, 100)).containsOnly(Map.entry("reviews-stable", 100));
    router.install(RouteTable.from(VirtualServices.split(0, 100), "bookinfo"));
    assertThat(draw(router, PLAIN, 100)).containsOnly(Map.entry("reviews-canary", 100));
    router.install(RouteTable.from(null, "bookinfo"));
    assertThat(router.route(PLAIN)).isInstanceOf(RoutingDecision.Unrouted.class);
  }

  @Test
  void destinationsKeepHostSubsetAndPort() {
    var primary = RouteTable.from(VirtualServices.split(95, 5), "bookinfo").routes().get(1);
    assertThat(primary.destinations())
        .containsExactly(
            new WeightedDestination(
                new Destination(ServiceHost.resolve("reviews-stable", "bookinfo"), "v1", 9080L),
                95),
            new WeightedDestination(
                new Destination(ServiceHost.resolve("reviews-canary", "bookinfo"), "v2", 9080L),
                5));
  }

  @Test
  void virtualServiceBoundOnlyToGatewaysDoesNotRouteMeshTraffic() {
    WeightedRouter router =
        router(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          gateways: [istio-system/public]
          http:
          - route:
            - destination: {host: reviews}
        """);
    assertThat(router.route(PLAIN)).isInstanceOf(RoutingDecision.Unrouted.class);
  }

  private static String target(WeightedRouter router, Map<String, String> headers) {
    return hostOf(router.route(SimulatedRequest.get("/", headers)));
  }

  private static String hostOf(RoutingDecision decision) {
    return decision instanceof RoutingDecision.Routed r
        ? r.destination().host().name()
        : "unrouted";
  }
}
