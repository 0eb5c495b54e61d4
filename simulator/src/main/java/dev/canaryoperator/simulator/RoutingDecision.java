package dev.canaryoperator.simulator;

/** What the router did with one request. */
public sealed interface RoutingDecision {

  record Routed(String route, Destination destination) implements RoutingDecision {}

  /**
   * Istio would answer such a request itself (404 NR when no route matches, 503 when the matched
   * route has nothing to send to); no destination sidecar sees it, so it yields no Istio metric.
   */
  record Unrouted(String reason) implements RoutingDecision {}
}
