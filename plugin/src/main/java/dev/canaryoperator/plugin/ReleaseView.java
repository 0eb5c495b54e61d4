package dev.canaryoperator.plugin;

import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.api.Step;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** A CanaryRelease as `kubectl canary get` prints it: steps, split, last analysis, history. */
final class ReleaseView {
  private ReleaseView() {}

  /** Phases after which nothing moves without a person or a new revision. */
  static boolean settled(CanaryRelease release) {
    Phase phase = release.getStatus() == null ? null : release.getStatus().getPhase();
    return phase == Phase.Promoted
        || phase == Phase.Completed
        || phase == Phase.RolledBack
        || phase == Phase.Failed;
  }

  static String render(CanaryRelease release) {
    StringBuilder out = new StringBuilder();
    CanaryReleaseStatus status = release.getStatus();
    String namespace = release.getMetadata().getNamespace();
    out.append("Name:      ").append(namespace).append('/').append(release.getMetadata().getName());
    out.append('\n');
    if (status == null || status.getPhase() == null) {
      out.append("Phase:     (not picked up by the operator yet)\n");
      return out.toString();
    }
    out.append("Phase:     ").append(status.getPhase());
    if (status.getReason() != null) {
      out.append(" (").append(status.getReason()).append(')');
    }
    out.append('\n');
    if (status.getMessage() != null) {
      out.append("Message:   ").append(status.getMessage()).append('\n');
    }
    int canary = Objects.requireNonNullElse(status.getCanaryWeight(), 0);
    out.append("Traffic:   ")
        .append(bar(canary))
        .append(" canary ")
        .append(canary)
        .append("%, stable ")
        .append(100 - canary)
        .append("%\n");
    out.append("Rollout:   ")
        .append(status.getRolloutId())
        .append('.')
        .append(Objects.requireNonNullElse(status.getAttempt(), 1))
        .append('\n');
    out.append("Steps:\n");
    List<Step> steps = release.getSpec().getSteps();
    int current = Objects.requireNonNullElse(status.getCurrentStep(), 0);
    for (int i = 0; i < steps.size(); i++) {
      boolean here = i + 1 == current;
      out.append(here ? "  > " : "    ")
          .append(i + 1)
          .append(". ")
          .append(steps.get(i).getWeight())
          .append('%')
          .append(
              here && status.getStepStartedAt() != null
                  ? "  since " + status.getStepStartedAt()
                  : "")
          .append('\n');
    }
    AnalysisStatus last = status.getLastAnalysis();
    if (last != null) {
      out.append("Last analysis: ").append(last.getVerdict()).append(" at ").append(last.getTime());
      out.append('\n');
      out.append("  canary  ").append(side(last.getCanary())).append('\n');
      out.append("  stable  ").append(side(last.getStable())).append('\n');
      out.append("  ").append(last.getReason()).append('\n');
    }
    if (status.getHistory() != null && !status.getHistory().isEmpty()) {
      out.append("History:\n");
      for (HistoryEntry h : status.getHistory()) {
        out.append("  ")
            .append(h.getTime())
            .append("  ")
            .append(h.getReason())
            .append(": ")
            .append(h.getMessage())
            .append('\n');
      }
    }
    return out.toString();
  }

  private static String side(SideMeasurement m) {
    if (m == null) {
      return "no data";
    }
    return String.format(
        Locale.ROOT,
        "%s requests, 5xx %s, mean latency %s",
        m.getRequests() == null ? "?" : String.format(Locale.ROOT, "%.0f", m.getRequests()),
        m.getErrorRate() == null
            ? "?"
            : String.format(Locale.ROOT, "%.2f%%", m.getErrorRate() * 100),
        m.getLatencyMs() == null ? "?" : String.format(Locale.ROOT, "%.1f ms", m.getLatencyMs()));
  }

  /** A 20-character bar: '#' for the canary's share. */
  static String bar(int canaryPercent) {
    int filled = Math.round(canaryPercent / 5f);
    return "[" + "#".repeat(filled) + "-".repeat(20 - filled) + "]";
  }
}
