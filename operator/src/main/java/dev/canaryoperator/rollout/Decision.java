package dev.canaryoperator.rollout;

import dev.canaryoperator.routing.RouteWeights;
import java.time.Duration;
import java.util.List;

/**
 * The state machine's answer.
 *
 * @param weights the split the VirtualService must carry, or null to leave it untouched
 * @param wakeUpAfter when to decide again without any outside event, or null when nothing is
 *     scheduled
 */
public record Decision(
    RolloutState state, RouteWeights weights, List<Transition> transitions, Duration wakeUpAfter) {
  public Decision {
    transitions = List.copyOf(transitions);
  }
}
