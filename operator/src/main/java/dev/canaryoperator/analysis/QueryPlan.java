package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.ServiceHost;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every query of one analysis round, built from the release alone (no I/O). A spec whose built-in
 * queries cannot be built fails here with an IllegalArgumentException naming the field; a custom
 * check that cannot be built only marks that check, so the other checks still run.
 */
record QueryPlan(
    String window,
    String spanText,
    SideQueries stable,
    SideQueries canary,
    List<PlannedCheck> checks) {

  /**
   * One custom check's queries; stableQuery only with maxRatio; problem when it could not be built.
   */
  record PlannedCheck(MetricCheck check, String canaryQuery, String stableQuery, String problem) {}

  QueryPlan {
    checks = List.copyOf(checks);
  }

  /**
   * The queries of a round evaluated at {@code time}. The built-in numbers cover the window under
   * Threshold; under Sequential they cover the step so far (target.evidenceSince), the sample its
   * evidence grows from. Custom checks always use the window.
   */
  static QueryPlan of(AnalysisTarget target, Instant time) {
    CanaryReleaseSpec spec = target.spec();
    if (spec == null || spec.getAnalysis() == null) {
      throw new IllegalArgumentException("spec.analysis is missing");
    }
    if (spec.getStable() == null
        || spec.getStable().getHost() == null
        || spec.getCanary() == null
        || spec.getCanary().getHost() == null) {
      throw new IllegalArgumentException("spec.stable.host and spec.canary.host are required");
    }
    AnalysisSpec analysis = spec.getAnalysis();
    String window = canonicalWindow(analysis.getWindow());
    Duration span = Durations.parse(window);
    String spanText = "in the last " + window;
    AnalysisMethod method =
        Objects.requireNonNullElse(analysis.getMethod(), AnalysisSpec.DEFAULT_METHOD);
    if (method == AnalysisMethod.Sequential && target.evidenceSince() != null) {
      Duration sinceStep = Duration.between(target.evidenceSince(), time);
      span = sinceStep.compareTo(Durations.ONE_SECOND) < 0 ? Durations.ONE_SECOND : sinceStep;
      spanText = "in this step (" + Durations.format(span.withNanos(0)) + ")";
    }
    SideQueries stable =
        new SideQueries(
            selector(
                spec.getStable(),
                analysis.getStableSelector(),
                target.namespace(),
                "spec.analysis.stableSelector"),
            span);
    SideQueries canary =
        new SideQueries(
            selector(
                spec.getCanary(),
                analysis.getCanarySelector(),
                target.namespace(),
                "spec.analysis.canarySelector"),
            span);
    List<PlannedCheck> checks = new ArrayList<>();
    for (MetricCheck check :
        analysis.getMetrics() == null ? List.<MetricCheck>of() : analysis.getMetrics()) {
      checks.add(plan(check, spec, target.namespace(), window));
    }
    return new QueryPlan(window, spanText, stable, canary, checks);
  }

  static String canonicalWindow(String window) {
    Duration d;
    try {
      d = Durations.parse(window);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spec.analysis.window: " + e.getMessage());
    }
    if (d.isZero() || d.toMillis() < 1000) {
      throw new IllegalArgumentException("spec.analysis.window must be at least 1s, not " + window);
    }
    return Durations.format(d);
  }

  /**
   * A non-empty selector from the spec replaces the defaults entirely (for subset-level splits that
   * label workloads differently); only reporter="destination" stays unless the spec sets reporter,
   * because the source and destination proxies report the same requests twice.
   */
  static LabelSelector selector(
      Destination side, Map<String, String> override, String releaseNamespace, String field) {
    Map<String, String> matchers = new LinkedHashMap<>();
    matchers.put("reporter", "destination");
    if (override != null && !override.isEmpty()) {
      override.forEach(
          (name, value) -> {
            PromQl.requireLabelName(name, field);
            if (value == null) {
              throw new IllegalArgumentException(field + ": label '" + name + "' has no value");
            }
            matchers.put(name, value);
          });
      return new LabelSelector(matchers);
    }
    matchers.put("destination_service_name", side.shortHost());
    // "reviews.other" and "reviews.other.svc.cluster.local" name a Service in another namespace
    matchers.put(
        "destination_service_namespace",
        ServiceHost.of(side.getHost(), releaseNamespace).namespace());
    if (side.getSubset() != null && !side.getSubset().isEmpty()) {
      matchers.put("destination_version", side.getSubset());
    }
    return new LabelSelector(matchers);
  }

  private static PlannedCheck plan(
      MetricCheck check, CanaryReleaseSpec spec, String namespace, String window) {
    try {
      if (check.getMaxRatio() == null && check.getMin() == null && check.getMax() == null) {
        throw new IllegalArgumentException("needs min, max or maxRatio");
      }
      String canaryQuery =
          MetricTemplate.render(
              check.getQuery(), variables(spec, spec.getCanary(), namespace), window);
      if (check.getMaxRatio() == null) {
        return new PlannedCheck(check, canaryQuery, null, null);
      }
      String stableQuery =
          MetricTemplate.render(
              check.getQuery(), variables(spec, spec.getStable(), namespace), window);
      if (stableQuery.equals(canaryQuery)) {
        throw new IllegalArgumentException(
            "with maxRatio the query must tell the sides apart,"
                + " but it is the same for both: use {{target}} (or {{subset}}) in it");
      }
      return new PlannedCheck(check, canaryQuery, stableQuery, null);
    } catch (IllegalArgumentException e) {
      return new PlannedCheck(check, null, null, e.getMessage());
    }
  }

  private static Map<String, String> variables(
      CanaryReleaseSpec spec, Destination target, String namespace) {
    return Map.of(
        "namespace", namespace,
        "target", target.shortHost(),
        "subset", target.getSubset() == null ? "" : target.getSubset(),
        "stable", spec.getStable().shortHost(),
        "canary", spec.getCanary().shortHost());
  }
}
