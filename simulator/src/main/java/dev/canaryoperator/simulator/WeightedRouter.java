package dev.canaryoperator.simulator;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Picks a destination per request the way an Istio sidecar does: the first http route that matches,
 * then a weighted random choice among that route's destinations. The table is swapped whole on
 * every VirtualService change, so a request never sees half an update.
 */
public final class WeightedRouter {

  private final RandomGenerator random;
  private volatile RouteTable table = RouteTable.empty("VirtualService not seen yet");

  public WeightedRouter(RandomGenerator random) {
    this.random = Objects.requireNonNull(random);
  }

  public void install(RouteTable table) {
    this.table = Objects.requireNonNull(table);
  }

  public RouteTable table() {
    return table;
  }

  public RoutingDecision route(SimulatedRequest request) {
    RouteTable current = table;
    for (HttpRouteRule rule : current.routes()) {
      if (rule.matches(request)) {
        return choose(rule);
      }
    }
    return new RoutingDecision.Unrouted("no route matched");
  }

  private RoutingDecision choose(HttpRouteRule rule) {
    int total = rule.totalWeight();
    if (total <= 0) {
      return new RoutingDecision.Unrouted(
          "route " + rule.name() + " has no destination with weight > 0");
    }
    int draw;
    synchronized (random) { // RandomGenerator implementations need not be thread-safe
      draw = random.nextInt(total);
    }
    for (WeightedDestination d : rule.destinations()) {
      if (draw < d.weight()) {
        return new RoutingDecision.Routed(rule.name(), d.destination());
      }
      draw -= d.weight();
    }
    throw new IllegalStateException(
        "weights changed under the draw"); // cannot happen: rule is immutable
  }
}
