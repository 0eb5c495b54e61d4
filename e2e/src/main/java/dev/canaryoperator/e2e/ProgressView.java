package dev.canaryoperator.e2e;

import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.SideMeasurement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the sandbox shows of one release: phase, step, weight, both sides' numbers from the last
 * analysis, its verdict and reason, and a bar for the progress through the steps.
 */
record ProgressView(String release, ReleasePlan plan) {
  private static final int BAR_WIDTH = 30;

  /** The lines to show for this status at {@code now}. */
  List<String> render(CanaryReleaseStatus status, Instant now) {
    List<String> lines = new ArrayList<>();
    if (status == null || status.getPhase() == null) {
      lines.add(String.format(Locale.ROOT, "%-8s %s waiting for the operator", release, bar(0)));
      lines.add("");
      return lines;
    }
    int step = status.getCurrentStep() == null ? 0 : status.getCurrentStep();
    lines.add(
        String.format(
            Locale.ROOT,
            "%-8s %s %-11s step %d/%d  canary %3d%%",
            release,
            bar(progress(status, now)),
            status.getPhase(),
            step,
            plan.stages().size(),
            status.getCanaryWeight() == null ? 0 : status.getCanaryWeight()));
    AnalysisStatus analysis = status.getLastAnalysis();
    if (analysis == null) {
      lines.add("         no analysis yet");
    } else {
      lines.add(
          String.format(
              Locale.ROOT,
              "         %-12s canary %s | stable %s",
              analysis.getVerdict(),
              side(analysis.getCanary()),
              side(analysis.getStable())));
      lines.add("         " + analysis.getReason());
    }
    boolean settled = status.getPhase() == Phase.RolledBack || status.getPhase() == Phase.Promoted;
    if (settled
        && status.getMessage() != null
        && (analysis == null || !status.getMessage().equals(analysis.getReason()))) {
      lines.add("         " + status.getMessage());
    }
    return lines;
  }

  /** Completed steps plus the elapsed part of the current one, as a fraction of all steps. */
  private double progress(CanaryReleaseStatus status, Instant now) {
    if (status.getPhase() == Phase.Promoted) {
      return 1;
    }
    int step = status.getCurrentStep() == null ? 0 : status.getCurrentStep();
    if (step == 0 || status.getStepStartedAt() == null) {
      return 0;
    }
    Duration length = plan.stages().get(Math.min(step, plan.stages().size()) - 1).duration();
    double inStep =
        Math.min(
            1,
            Math.max(
                0,
                (double) Duration.between(Instant.parse(status.getStepStartedAt()), now).toMillis()
                    / length.toMillis()));
    return (step - 1 + inStep) / plan.stages().size();
  }

  private static String bar(double fraction) {
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return "["
        + "#".repeat(filled)
        + ".".repeat(BAR_WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100));
  }

  private static String side(SideMeasurement m) {
    if (m == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "5xx %s  latency %s  (%s req)",
        m.getErrorRate() == null
            ? "?"
            : String.format(Locale.ROOT, "%5.2f%%", m.getErrorRate() * 100),
        m.getLatencyMs() == null ? "?" : String.format(Locale.ROOT, "%5.1f ms", m.getLatencyMs()),
        m.getRequests() == null ? "?" : Long.toString(Math.round(m.getRequests())));
  }
}
