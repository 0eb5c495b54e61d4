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
  public static final String DEFAULT_STEP_DURATION = "30m";
  public static final Promotion DEFAULT_PROMOTION = Promotion.Automatic;

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

  @Default(DEFAULT_STEP_DURATION)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_30D, message = Durations.MESSAGE_1S_TO_30D)
  private String stepDuration = DEFAULT_STEP_DURATION;

  @Default("Automatic")
  private Promotion promotion = DEFAULT_PROMOTION;

  /** Stops the rollout where it is: no analysis, no step change, weights kept. */
  private Boolean paused;

  @Required private AnalysisSpec analysis;
  private CanaryGroup canaryGroup;
  private CanaryHeaders canaryHeaders;

  /** What happens after Promoted; absent: the canary keeps 100%. */
  private Finalize finalize;

  /**
   * What deleting the release does to the traffic; absent: 100% back on the stable mid-rollout, the
   * split left as it is once Promoted, Completed or RolledBack.
   */
  private OnDelete onDelete;

  /** Webhooks that must say yes before the release starts, adds traffic, and is promoted. */
  private Gates gates;

  /** Webhooks told about this release's transitions, besides the operator-wide ones. */
  @Size(max = 10)
  private List<Notification> notifications;

  public CanaryReleaseSpec() {}

  public Gates getGates() {
    return gates;
  }

  public void setGates(Gates gates) {
    this.gates = gates;
  }

  public List<Notification> getNotifications() {
    return notifications;
  }

  public void setNotifications(List<Notification> notifications) {
    this.notifications = notifications;
  }

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

  public Finalize getFinalize() {
    return finalize;
  }

  public void setFinalize(Finalize finalize) {
    this.finalize = finalize;
  }

  public OnDelete getOnDelete() {
    return onDelete;
  }

  public void setOnDelete(OnDelete onDelete) {
    this.onDelete = onDelete;
  }
}
