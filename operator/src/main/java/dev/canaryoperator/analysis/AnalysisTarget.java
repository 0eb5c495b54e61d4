package dev.canaryoperator.analysis;

import dev.canaryoperator.api.CanaryReleaseSpec;
import java.time.Instant;

/**
 * What to analyse: the release's namespace and name, and its spec (destinations, thresholds,
 * Prometheus).
 *
 * @param stableBaselineAt null to measure both sides over the same span; otherwise the stable side
 *     is measured over a span as long that ended then. Once the canary takes 100% the stable serves
 *     nothing, and its last traffic is the only baseline there is.
 * @param evidenceSince when the step's observation started: under the Sequential method the
 *     built-in numbers cover the step from then on; null to use the window
 */
public record AnalysisTarget(
    String namespace,
    String name,
    CanaryReleaseSpec spec,
    Instant stableBaselineAt,
    Instant evidenceSince) {
  public AnalysisTarget(String namespace, String name, CanaryReleaseSpec spec) {
    this(namespace, name, spec, null, null);
  }
}
