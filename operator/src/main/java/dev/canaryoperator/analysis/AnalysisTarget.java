package dev.canaryoperator.analysis;

import dev.canaryoperator.api.CanaryReleaseSpec;

/** What to analyse: the release's namespace and name, and its spec (destinations, thresholds, Prometheus). */
public record AnalysisTarget(String namespace, String name, CanaryReleaseSpec spec) {}
