package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What happens after Promoted: the stable Deployment is brought to the canary's pod spec, and once
 * it has rolled out the traffic goes back to it, so that the next release starts from the same
 * roles.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.stableDeployment != self.canaryDeployment",
    message = "finalize.stableDeployment and finalize.canaryDeployment name the same Deployment")
public class Finalize {
  public static final String DEFAULT_TIMEOUT = "10m";

  @Required private FinalizeMode mode;

  /** The Deployment behind the stable destination, in the release's namespace. */
  @Required
  @Size(min = 1, max = 253)
  private String stableDeployment;

  /** The Deployment behind the canary destination, in the release's namespace. */
  @Required
  @Size(min = 1, max = 253)
  private String canaryDeployment;

  /** How long the stable may take to run the canary's pod spec and roll out before a warning. */
  @Default(DEFAULT_TIMEOUT)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_30D, message = Durations.MESSAGE_1S_TO_30D)
  private String timeout = DEFAULT_TIMEOUT;

  /** CopyToStable only: scale the canary Deployment to 0 once the stable took the traffic back. */
  private Boolean scaleCanaryToZero;

  public Finalize() {}

  public Finalize(FinalizeMode mode, String stableDeployment, String canaryDeployment) {
    this.mode = mode;
    this.stableDeployment = stableDeployment;
    this.canaryDeployment = canaryDeployment;
  }

  public FinalizeMode getMode() {
    return mode;
  }

  public void setMode(FinalizeMode mode) {
    this.mode = mode;
  }

  public String getStableDeployment() {
    return stableDeployment;
  }

  public void setStableDeployment(String stableDeployment) {
    this.stableDeployment = stableDeployment;
  }

  public String getCanaryDeployment() {
    return canaryDeployment;
  }

  public void setCanaryDeployment(String canaryDeployment) {
    this.canaryDeployment = canaryDeployment;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public Boolean getScaleCanaryToZero() {
    return scaleCanaryToZero;
  }

  public void setScaleCanaryToZero(Boolean scaleCanaryToZero) {
    this.scaleCanaryToZero = scaleCanaryToZero;
  }
}
