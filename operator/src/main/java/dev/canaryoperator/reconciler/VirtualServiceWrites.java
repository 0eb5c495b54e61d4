package dev.canaryoperator.reconciler;

import dev.canaryoperator.rollout.Transition;
import java.util.List;

/** Why the VirtualService was written, from the transitions of the decision it carries out. */
final class VirtualServiceWrites {
  static final String STEP = "step";
  static final String ROLLBACK = "rollback";
  static final String ABORT = "abort";
  static final String PROMOTION = "promotion";
  static final String FINALISE = "finalise";
  static final String DRIFT = "drift";
  static final String DELETE = "delete";

  private VirtualServiceWrites() {}

  /** No transition: the split was put back (someone changed it, or a write was cut short). */
  static String reason(List<Transition> transitions) {
    if (transitions.isEmpty()) {
      return DRIFT;
    }
    for (Transition t : transitions) {
      switch (t.reason()) {
        case "RolledBack":
          return ROLLBACK;
        case "Aborted":
          return ABORT;
        case "Promoted", "PromotedFull":
          return PROMOTION;
        case "Finalising", "Completed", "FinalisationTimedOut":
          return FINALISE;
        default:
          break;
      }
    }
    return STEP;
  }
}
