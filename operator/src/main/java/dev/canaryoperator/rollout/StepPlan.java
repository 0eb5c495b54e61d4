package dev.canaryoperator.rollout;

import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.Step;
import java.time.Duration;
import java.util.List;

/** The parts of a spec the state machine needs, with defaults applied and durations parsed. */
public record StepPlan(
    List<PlannedStep> steps,
    Duration analysisInterval,
    int failureLimit,
    OnNoData onNoData,
    Promotion promotion,
    boolean paused) {

  public record PlannedStep(int weight, Duration duration) {}

  public StepPlan {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException(
          "spec.steps is empty: give at least one step, for example {weight: 100}");
    }
  }

  public static StepPlan of(CanaryReleaseSpec spec) {
    Duration defaultDuration = Durations.parse(orDefault(spec.getStepDuration(), "30m"));
    List<PlannedStep> steps =
        spec.getSteps().stream()
            .map(
                (Step s) ->
                    new PlannedStep(
                        s.getWeight(),
                        s.getDuration() == null
                            ? defaultDuration
                            : Durations.parse(s.getDuration())))
            .toList();
    var analysis = spec.getAnalysis();
    return new StepPlan(
        steps,
        Durations.parse(orDefault(analysis == null ? null : analysis.getInterval(), "1m")),
        analysis == null || analysis.getFailureLimit() == null ? 1 : analysis.getFailureLimit(),
        analysis == null || analysis.getOnNoData() == null ? OnNoData.Hold : analysis.getOnNoData(),
        spec.getPromotion() == null ? Promotion.Automatic : spec.getPromotion(),
        Boolean.TRUE.equals(spec.getPaused()));
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  public int size() {
    return steps.size();
  }

  /** The step at a 1-based index; an index beyond a shortened list means the last step. */
  public PlannedStep step(int index) {
    return steps.get(Math.max(1, Math.min(index, steps.size())) - 1);
  }
}
