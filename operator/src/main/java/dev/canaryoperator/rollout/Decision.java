package dev.canaryoperator.rollout;

import dev.canaryoperator.routing.RouteWeights;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The state machine's answer. The shell records {@code state} (with the transitions in its history)
 * first, then carries out the effects.
 *
 * @param weights the split the VirtualService must carry, or null to leave it untouched
 * @param wakeUpAfter when to decide again without any outside event, or null when nothing is
 *     scheduled
 * @param workload what to do to the Deployments, usually nothing
 */
public record Decision(
    RolloutState state,
    RouteWeights weights,
    List<Transition> transitions,
    Duration wakeUpAfter,
    Set<WorkloadEffect> workload) {
  public Decision {
    transitions = List.copyOf(transitions);
    workload = workload == null ? Set.of() : Set.copyOf(workload);
  }

  public Decision(
      RolloutState state,
      RouteWeights weights,
      List<Transition> transitions,
      Duration wakeUpAfter) {
    this(state, weights, transitions, wakeUpAfter, Set.of());
  }
}
