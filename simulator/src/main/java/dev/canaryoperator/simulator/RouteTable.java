package dev.canaryoperator.simulator;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import java.util.ArrayList;
import java.util.List;

/**
 * The http routes of one VirtualService as the simulator applies them, plus where they came from.
 *
 * <p>Weights: a route with a single destination and no weight sends it everything (Istio's rule).
 * With several destinations a missing weight counts as 0 and the others share the traffic in
 * proportion to their weights; a route whose weights are all 0 routes nothing.
 */
public record RouteTable(String source, String resourceVersion, List<HttpRouteRule> routes) {

  /**
   * What the simulator routes by before the VirtualService has been seen, or after it is deleted.
   */
  public static RouteTable empty(String reason) {
    return new RouteTable(reason, null, List.of());
  }

  public RouteTable {
    routes = List.copyOf(routes);
  }

  public static RouteTable from(VirtualService vs, String defaultNamespace) {
    if (vs == null) {
      return empty("no VirtualService");
    }
    String namespace =
        vs.getMetadata() != null && vs.getMetadata().getNamespace() != null
            ? vs.getMetadata().getNamespace()
            : defaultNamespace;
    String name = vs.getMetadata() == null ? "?" : vs.getMetadata().getName();
    String resourceVersion =
        vs.getMetadata() == null ? null : vs.getMetadata().getResourceVersion();
    String source = "VirtualService " + namespace + "/" + name;
    var spec = vs.getSpec();
    if (spec == null || spec.getHttp() == null) {
      return new RouteTable(source, resourceVersion, List.of());
    }
    if (spec.getGateways() != null
        && !spec.getGateways().isEmpty()
        && !spec.getGateways().contains("mesh")) {
      // bound to ingress gateways only: sidecars (our traffic) do not use it
      return new RouteTable(
          source + " (gateways only, not applied to mesh traffic)", resourceVersion, List.of());
    }
    List<HttpRouteRule> routes = new ArrayList<>();
    int index = 0;
    for (HTTPRoute http : spec.getHttp()) {
      String routeName = http.getName() != null ? http.getName() : "http[" + index + "]";
      routes.add(new HttpRouteRule(routeName, matches(http), destinations(http, namespace)));
      index++;
    }
    return new RouteTable(source, resourceVersion, routes);
  }

  private static List<RequestMatch> matches(HTTPRoute http) {
    List<RequestMatch> out = new ArrayList<>();
    if (http.getMatch() != null) {
      for (HTTPMatchRequest m : http.getMatch()) {
        out.add(RequestMatch.from(m));
      }
    }
    return out;
  }

  private static List<WeightedDestination> destinations(HTTPRoute http, String namespace) {
    List<WeightedDestination> out = new ArrayList<>();
    List<HTTPRouteDestination> route = http.getRoute();
    if (route == null) {
      return out; // redirect, directResponse or delegate: nothing we can send traffic to
    }
    for (HTTPRouteDestination d : route) {
      if (d.getDestination() == null || d.getDestination().getHost() == null) {
        continue;
      }
      var dest = d.getDestination();
      int weight = d.getWeight() != null ? d.getWeight() : route.size() == 1 ? 100 : 0;
      Long port = dest.getPort() == null ? null : dest.getPort().getNumber();
      out.add(
          new WeightedDestination(
              new Destination(
                  ServiceHost.resolve(dest.getHost(), namespace), dest.getSubset(), port),
              weight));
    }
    return out;
  }
}
