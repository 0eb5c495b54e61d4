package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Webhooks that must say yes before the release starts, adds traffic, and is promoted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Gates {
  /** Asked before the rollout's first step takes traffic. */
  private Gate confirmRollout;

  /** Asked before each step raises the canary's weight. */
  private Gate confirmTrafficIncrease;

  /** Asked before the automatic promotion to 100% (a person's promote request is not gated). */
  private Gate confirmPromotion;

  public Gate getConfirmRollout() {
    return confirmRollout;
  }

  public void setConfirmRollout(Gate confirmRollout) {
    this.confirmRollout = confirmRollout;
  }

  public Gate getConfirmTrafficIncrease() {
    return confirmTrafficIncrease;
  }

  public void setConfirmTrafficIncrease(Gate confirmTrafficIncrease) {
    this.confirmTrafficIncrease = confirmTrafficIncrease;
  }

  public Gate getConfirmPromotion() {
    return confirmPromotion;
  }

  public void setConfirmPromotion(Gate confirmPromotion) {
    this.confirmPromotion = confirmPromotion;
  }
}
