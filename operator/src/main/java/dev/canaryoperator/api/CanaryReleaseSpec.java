package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(self.stable.host == self.canary.host"
            + " && (has(self.stable.subset) ? self.stable.subset : '') == (has(self.canary.subset) ? self.canary.subset : '')"
            + " && (has(self.stable.port) ? self.stable.port : 0) == (has(self.canary.port) ? self.canary.port : 0))",
    message =
        "stable and canary are the same destination: give the canary another host, subset or port",
    fieldPath = ".canary")
public class CanaryReleaseSpec {
  @Required private VirtualServiceRef virtualService;
  @Required private Destination stable;
  @Required private Destination canary;

  /** Free text; a change starts a new rollout even when stable and canary stay the same. */
  private String revision;

  @Required
  @Size(min = 1, max = 20)
  @ValidationRule(
      value =
          "self.map(s, s.weight).isSorted() && self.all(s, self.exists_one(t, t.weight == s.weight))",
      message = "step weights must be strictly increasing, for example 5, 10, 25, 50, 100")
  private List<Step> steps = new ArrayList<>();

  @Default("30m")
  @Pattern(Durations.PATTERN)
  private String stepDuration = "30m";

  @Default("Automatic")
  private Promotion promotion = Promotion.Automatic;

  /** Stops the rollout where it is: no analysis, no step change, weights kept. */
  private Boolean paused;

  @Required private AnalysisSpec analysis;
  private CanaryGroup canaryGroup;
  private CanaryHeaders canaryHeaders;

  public CanaryReleaseSpec() {}

  public VirtualServiceRef getVirtualService() {
    return virtualService;
  }

  public void setVirtualService(VirtualServiceRef virtualService) {
    this.virtualService = virtualService;
  }

  public Destination getStable() {
    return stable;
  }

  public void setStable(Destination stable) {
    this.stable = stable;
  }

  public Destination getCanary() {
    return canary;
  }

  public void setCanary(Destination canary) {
    this.canary = canary;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public List<Step> getSteps() {
    return steps;
  }

  public void setSteps(List<Step> steps) {
    this.steps = steps;
  }

  public String getStepDuration() {
    return stepDuration;
  }

  public void setStepDuration(String stepDuration) {
    this.stepDuration = stepDuration;
  }

  public Promotion getPromotion() {
    return promotion;
  }

  public void setPromotion(Promotion promotion) {
    this.promotion = promotion;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public AnalysisSpec getAnalysis() {
    return analysis;
  }

  public void setAnalysis(AnalysisSpec analysis) {
    this.analysis = analysis;
  }

  public CanaryGroup getCanaryGroup() {
    return canaryGroup;
  }

  public void setCanaryGroup(CanaryGroup canaryGroup) {
    this.canaryGroup = canaryGroup;
  }

  public CanaryHeaders getCanaryHeaders() {
    return canaryHeaders;
  }

  public void setCanaryHeaders(CanaryHeaders canaryHeaders) {
    this.canaryHeaders = canaryHeaders;
  }
}
