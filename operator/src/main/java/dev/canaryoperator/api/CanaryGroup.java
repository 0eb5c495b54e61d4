package dev.canaryoperator.api;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Requests that always go to the canary, whatever the weight (internal testers, a region). */
public class CanaryGroup {
  @Required
  @Size(min = 1, max = 16)
  private List<RequestMatch> match = new ArrayList<>();

  public CanaryGroup() {}

  public CanaryGroup(List<RequestMatch> match) {
    this.match = new ArrayList<>(match);
  }

  public List<RequestMatch> getMatch() {
    return match;
  }

  public void setMatch(List<RequestMatch> match) {
    this.match = match;
  }
}
