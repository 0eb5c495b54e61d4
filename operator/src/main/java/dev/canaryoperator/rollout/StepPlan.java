package dev.canaryoperator.rollout;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.Finalize;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.OnDelete;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The parts of a spec the state machine needs, with the API's defaults applied and durations parsed
 * and bounded. {@link #of} refuses a spec it cannot work with, naming the field.
 *
 * @param finalization what happens after Promoted, or null: the canary keeps 100%
 * @param onDelete what deletion does to the traffic, or null: decided by the phase
 * @param analysisOffset when a step's first analysis is due, counted from the start of the step's
 *     evidence (see {@link RolloutStateMachine#evidenceSince}); from 1 s up to the interval. A
 *     release's own offset (see {@link #withAnalysisOffsetFor}) spreads releases' analyses over the
 *     interval instead of running all of them at once.
 * @param gates the gates spec.gates configures
 */
public record StepPlan(
    List<PlannedStep> steps,
    Duration analysisInterval,
    int failureLimit,
    OnNoData onNoData,
    Promotion promotion,
    boolean paused,
    FinalizePlan finalization,
    OnDelete onDelete,
    Duration analysisOffset,
    Set<GateKind> gates) {

  public record PlannedStep(int weight, Duration duration) {}

  /** spec.finalize with its timeout parsed. */
  public record FinalizePlan(
      FinalizeMode mode,
      String stableDeployment,
      String canaryDeployment,
      Duration timeout,
      boolean scaleCanaryToZero) {}

  public StepPlan {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException(
          "spec.steps is empty: give at least one step, for example {weight: 100}");
    }
    gates = gates == null ? Set.of() : Set.copyOf(gates);
    if (analysisOffset == null
        || analysisOffset.compareTo(analysisInterval) > 0
        || analysisOffset.isNegative()) {
      analysisOffset = analysisInterval;
    }
  }

  public StepPlan(
      List<PlannedStep> steps,
      Duration analysisInterval,
      int failureLimit,
      OnNoData onNoData,
      Promotion promotion,
      boolean paused) {
    this(
        steps, analysisInterval, failureLimit, onNoData, promotion, paused, null, null, null, null);
  }

  /**
   * This plan with the first analysis of each step offset by a fraction of the interval that
   * depends only on {@code identity} (the release's namespace and name): stable across restarts,
   * different between releases. At least 1 s, so the first look has some evidence.
   */
  public StepPlan withAnalysisOffsetFor(String identity) {
    // the low bits of String.hashCode are poorly spread for similar names: mix them
    long mixed = identity.hashCode() * 0x9E3779B97F4A7C15L;
    double fraction = (mixed >>> 11) / (double) (1L << 53);
    long intervalMillis = analysisInterval.toMillis();
    long offset = 1000 + Math.round(Math.max(0, intervalMillis - 1000) * fraction);
    return new StepPlan(
        steps,
        analysisInterval,
        failureLimit,
        onNoData,
        promotion,
        paused,
        finalization,
        onDelete,
        Duration.ofMillis(Math.min(offset, intervalMillis)),
        gates);
  }

  /**
   * @throws IllegalArgumentException naming the field and the fix, for a spec the operator cannot
   *     work with (the CRD refuses most of them; objects stored before a bound existed are not)
   */
  public static StepPlan of(CanaryReleaseSpec spec) {
    Duration defaultDuration =
        Durations.parse(
            "spec.stepDuration",
            Objects.requireNonNullElse(
                spec.getStepDuration(), CanaryReleaseSpec.DEFAULT_STEP_DURATION),
            Durations.ONE_SECOND,
            Durations.THIRTY_DAYS);
    List<PlannedStep> steps = new ArrayList<>();
    List<Step> specSteps = Objects.requireNonNullElse(spec.getSteps(), List.of());
    for (int i = 0; i < specSteps.size(); i++) {
      Step s = specSteps.get(i);
      if (s.getWeight() == null || s.getWeight() < 1 || s.getWeight() > 100) {
        throw new IllegalArgumentException(
            "spec.steps[" + i + "].weight: give a weight from 1 to 100, got " + s.getWeight());
      }
      Duration duration =
          s.getDuration() == null
              ? defaultDuration
              : Durations.parse(
                  "spec.steps[" + i + "].duration",
                  s.getDuration(),
                  Durations.ONE_SECOND,
                  Durations.THIRTY_DAYS);
      steps.add(new PlannedStep(s.getWeight(), duration));
    }
    AnalysisSpec analysis = spec.getAnalysis();
    Duration interval =
        Durations.parse(
            "spec.analysis.interval",
            analysis == null || analysis.getInterval() == null
                ? AnalysisSpec.DEFAULT_INTERVAL
                : analysis.getInterval(),
            Durations.ONE_SECOND,
            Durations.THIRTY_DAYS);
    return new StepPlan(
        steps,
        interval,
        analysis == null || analysis.getFailureLimit() == null
            ? AnalysisSpec.DEFAULT_FAILURE_LIMIT
            : analysis.getFailureLimit(),
        analysis == null || analysis.getOnNoData() == null
            ? AnalysisSpec.DEFAULT_ON_NO_DATA
            : analysis.getOnNoData(),
        Objects.requireNonNullElse(spec.getPromotion(), CanaryReleaseSpec.DEFAULT_PROMOTION),
        Boolean.TRUE.equals(spec.getPaused()),
        finalizePlan(spec.getFinalize()),
        spec.getOnDelete(),
        interval,
        java.util.Arrays.stream(GateKind.values())
            .filter(kind -> kind.in(spec.getGates()) != null)
            .collect(java.util.stream.Collectors.toSet()));
  }

  private static FinalizePlan finalizePlan(Finalize f) {
    if (f == null) {
      return null;
    }
    if (f.getMode() == null || f.getStableDeployment() == null || f.getCanaryDeployment() == null) {
      throw new IllegalArgumentException(
          "spec.finalize: give mode (WaitForStable or CopyToStable), stableDeployment and"
              + " canaryDeployment");
    }
    Duration timeout =
        Durations.parse(
            "spec.finalize.timeout",
            Objects.requireNonNullElse(f.getTimeout(), Finalize.DEFAULT_TIMEOUT),
            Durations.ONE_SECOND,
            Durations.THIRTY_DAYS);
    return new FinalizePlan(
        f.getMode(),
        f.getStableDeployment(),
        f.getCanaryDeployment(),
        timeout,
        Boolean.TRUE.equals(f.getScaleCanaryToZero()));
  }

  public int size() {
    return steps.size();
  }

  /** The step at a 1-based index; an index beyond a shortened list means the last step. */
  public PlannedStep step(int index) {
    return steps.get(Math.max(1, Math.min(index, steps.size())) - 1);
  }
}
