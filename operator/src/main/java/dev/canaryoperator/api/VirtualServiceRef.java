package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** The Istio VirtualService (same namespace) whose HTTP route weights the operator drives. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class VirtualServiceRef {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  private String name;

  /**
   * Names of the http routes to drive; empty means every http route with a destination for the
   * stable host.
   */
  private List<String> routes = new ArrayList<>();

  public VirtualServiceRef() {}

  public VirtualServiceRef(String name, List<String> routes) {
    this.name = name;
    this.routes = routes == null ? new ArrayList<>() : new ArrayList<>(routes);
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public List<String> getRoutes() {
    return routes;
  }

  public void setRoutes(List<String> routes) {
    this.routes = routes;
  }
}
