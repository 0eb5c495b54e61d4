package dev.canaryoperator.rollout;

import dev.canaryoperator.api.Gate;
import dev.canaryoperator.api.Gates;

/** The moments a release asks its gates. */
public enum GateKind {
  ConfirmRollout("confirm-rollout"),
  ConfirmTrafficIncrease("confirm-traffic-increase"),
  ConfirmPromotion("confirm-promotion");

  private final String webhookName;

  GateKind(String webhookName) {
    this.webhookName = webhookName;
  }

  /** The name people know it by (Flagger's), for messages and the request body. */
  public String webhookName() {
    return webhookName;
  }

  /** This kind's gate in a spec, or null. */
  public Gate in(Gates gates) {
    if (gates == null) {
      return null;
    }
    return switch (this) {
      case ConfirmRollout -> gates.getConfirmRollout();
      case ConfirmTrafficIncrease -> gates.getConfirmTrafficIncrease();
      case ConfirmPromotion -> gates.getConfirmPromotion();
    };
  }
}
