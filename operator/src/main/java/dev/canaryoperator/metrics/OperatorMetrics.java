package dev.canaryoperator.metrics;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's own Prometheus metrics, per release: canary weight, phase (one gauge per phase, 1
 * for the current one, as kube-state-metrics does) and analysis verdict counts.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> weights = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> phases = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
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
