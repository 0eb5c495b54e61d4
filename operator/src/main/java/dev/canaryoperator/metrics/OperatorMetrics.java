package dev.canaryoperator.metrics;

import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.api.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own Prometheus metrics. Per release (labels namespace, name): canary weight, phase
 * (one gauge per phase, 1 for the current one, as kube-state-metrics does), analyses by verdict,
 * the last analysis's error rate and latency of each side with the limit the canary was held to,
 * and consecutive failures. Operator-wide: analysis duration, Prometheus query failures by kind,
 * VirtualService writes by reason, promotions, rollbacks, and the time from a Fail verdict to the
 * rollback's write. Base units throughout (ratios 0..1, seconds).
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> weights = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> phases = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();
  private final Timer analysisDuration;
  private final Timer rollbackDelay;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.analysisDuration =
        Timer.builder("canary_analysis_duration_seconds")
            .description("Time from an analysis's start to its result")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.rollbackDelay =
        Timer.builder("canary_rollback_delay_seconds")
            .description("Time from a Fail verdict's result to the rollback's VirtualService write")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    // counters with known labels exist from the start at 0, so that rate() and increase() see
    // their first event (a series born with its first increment shows none)
    for (String reason :
        List.of("step", "rollback", "abort", "promotion", "finalise", "drift", "delete")) {
      writes(reason);
    }
    promotions();
    rollbacks("RolledBack");
    rollbacks("Aborted");
    for (String outcome : List.of("delivered", "failed", "dropped")) {
      notifications(outcome);
    }
  }

  private Counter writes(String reason) {
    return Counter.builder("canary_virtualservice_writes_total")
        .description("VirtualService writes by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private Counter promotions() {
    return Counter.builder("canary_promotions_total")
        .description("Releases promoted (the canary at 100%)")
        .register(registry);
  }

  private Counter rollbacks(String reason) {
    return Counter.builder("canary_rollbacks_total")
        .description("Rollbacks, by reason (RolledBack on a verdict, Aborted on request)")
        .tag("reason", reason)
        .register(registry);
  }

  private Counter notifications(String outcome) {
    return Counter.builder("canary_notifications_total")
        .description("Notifications by outcome (dropped: the queue was full)")
        .tag("outcome", outcome)
        .register(registry);
  }

  public void observe(CanaryRelease release, CanaryReleaseStatus status) {
    Tags tags = tags(release);
    String key = key(release);
    AtomicInteger weight =
        weights.computeIfAbsent(
            key,
            k -> {
              AtomicInteger value = new AtomicInteger();
              Gauge.builder("canary_release_canary_weight", value, AtomicInteger::get)
                  .description("Canary traffic share in percent")
                  .tags(tags)
                  .register(registry);
              return value;
            });
    weight.set(status.getCanaryWeight() == null ? 0 : status.getCanaryWeight());
    for (Phase phase : Phase.values()) {
      AtomicInteger value =
          phases.computeIfAbsent(
              key + "|" + phase,
              k -> {
                AtomicInteger v = new AtomicInteger();
                Gauge.builder("canary_release_phase", v, AtomicInteger::get)
                    .description("1 for the release's current phase")
                    .tags(tags.and("phase", phase.name()))
                    .register(registry);
                return v;
              });
      value.set(phase == status.getPhase() ? 1 : 0);
    }
    set(
        release,
        "canary_release_consecutive_failures",
        Tags.empty(),
        status.getConsecutiveFailures());
    AnalysisStatus last = status.getLastAnalysis();
    if (last != null) {
      SideMeasurement canary = last.getCanary();
      SideMeasurement stable = last.getStable();
      set(release, "canary_release_error_rate", Tags.of("side", "canary"), errorRate(canary));
      set(release, "canary_release_error_rate", Tags.of("side", "stable"), errorRate(stable));
      set(release, "canary_release_latency_seconds", Tags.of("side", "canary"), seconds(canary));
      set(release, "canary_release_latency_seconds", Tags.of("side", "stable"), seconds(stable));
      Limits limits = Limits.of(release.getSpec().getAnalysis(), stable);
      set(release, "canary_release_error_rate_limit", Tags.empty(), limits.errorRate());
      set(release, "canary_release_latency_limit_seconds", Tags.empty(), limits.latencySeconds());
    }
  }

  private static Double errorRate(SideMeasurement side) {
    return side == null ? null : side.getErrorRate();
  }

  private static Double seconds(SideMeasurement side) {
    return side == null || side.getLatencyMs() == null ? null : side.getLatencyMs() / 1000;
  }

  /** A per-release gauge's value; NaN when the status has none (no analysis has measured it). */
  private void set(CanaryRelease release, String name, Tags extra, Number value) {
    Tags tags = tags(release).and(extra);
    AtomicReference<Double> holder =
        values.computeIfAbsent(
            key(release) + "|" + name + "|" + extra,
            k -> {
              AtomicReference<Double> v = new AtomicReference<>(Double.NaN);
              Gauge.builder(name, v, AtomicReference::get).tags(tags).register(registry);
              return v;
            });
    holder.set(value == null ? Double.NaN : value.doubleValue());
  }

  /** A finished analysis, from its start to its result. */
  public void analysisTook(Duration duration) {
    analysisDuration.record(duration);
  }

  /** A query that gave no usable number, by PrometheusQueryException kind (e.g. TIMEOUT). */
  public void queryFailed(String kind) {
    Counter.builder("canary_prometheus_query_failures_total")
        .description("Prometheus queries that failed, by kind")
        .tag("kind", kind)
        .register(registry)
        .increment();
  }

  /**
   * A write of a VirtualService's routes: step, rollback, abort, promotion, finalise, drift,
   * delete.
   */
  public void virtualServiceWritten(String reason) {
    writes(reason).increment();
  }

  /** A transition the status now holds. */
  public void transitioned(String reason) {
    switch (reason) {
      case "Promoted", "PromotedFull" -> promotions().increment();
      case "RolledBack", "Aborted" -> rollbacks(reason).increment();
      default -> {}
    }
  }

  /** What became of a notification to one receiver: delivered, failed or dropped. */
  public void notification(String outcome) {
    notifications(outcome).increment();
  }

  /** The time from a Fail verdict's result to the write that rolled the canary back. */
  public void rolledBackAfter(Duration delay) {
    rollbackDelay.record(delay);
  }

  public void analysis(CanaryRelease release, Verdict verdict) {
    Counter.builder("canary_release_analyses_total")
        .description("Analyses by verdict")
        .tags(tags(release).and("verdict", verdict.name()))
        .register(registry)
        .increment();
  }

  /** A deleted release's series disappear at once, not at the next restart. */
  public void forget(CanaryRelease release) {
    String key = key(release);
    weights.remove(key);
    for (Phase phase : Phase.values()) {
      phases.remove(key + "|" + phase);
    }
    values.keySet().removeIf(k -> k.startsWith(key + "|"));
    String namespace = release.getMetadata().getNamespace();
    String name = release.getMetadata().getName();
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("canary_release_"))
        .filter(
            m ->
                namespace.equals(m.getId().getTag("namespace"))
                    && name.equals(m.getId().getTag("name")))
        .toList()
        .forEach(registry::remove);
  }

  private static Tags tags(CanaryRelease release) {
    return Tags.of(
        "namespace", release.getMetadata().getNamespace(), "name", release.getMetadata().getName());
  }

  private static String key(CanaryRelease release) {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }
}
