package dev.canaryoperator.simulator;

import java.util.List;

/**
 * One element of a VirtualService's {@code http} list. An empty {@code matches} list matches every
 * request, as in Istio; otherwise any one of the match blocks has to match.
 */
public record HttpRouteRule(
    String name, List<RequestMatch> matches, List<WeightedDestination> destinations) {

  public HttpRouteRule {
    matches = List.copyOf(matches);
    destinations = List.copyOf(destinations);
  }

  public boolean matches(SimulatedRequest request) {
    return matches.isEmpty() || matches.stream().anyMatch(m -> m.matches(request));
  }

  public int totalWeight() {
    return destinations.stream().mapToInt(WeightedDestination::weight).sum();
  }
}
