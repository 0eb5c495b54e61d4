package dev.canaryoperator.analysis;

import dev.canaryoperator.api.CanaryReleaseSpec;
import java.time.Instant;

/**
 * What to analyse: the release's namespace and name, and its spec (destinations, thresholds,
 * Prometheus).
 *
 * @param stableBaselineAt null to measure both sides over the same window; otherwise the stable
 *     side is measured over the window that ended then. Once the canary takes 100% the stable
 *     serves nothing, and its last traffic is the only baseline there is.
 */
public record AnalysisTarget(
    String namespace, String name, CanaryReleaseSpec spec, Instant stableBaselineAt) {
  public AnalysisTarget(String namespace, String name, CanaryReleaseSpec spec) {
    this(namespace, name, spec, null);
  }
}
