package dev.canaryoperator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  static CanaryRelease release(String name) {
    CanaryRelease r = new CanaryRelease();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    return r;
  }

  @Test
  void aDeletedReleasesSeriesDisappearAndOthersStay() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    CanaryReleaseStatus status = new CanaryReleaseStatus();
    status.setPhase(Phase.Progressing);
    status.setCanaryWeight(25);
    for (String name : new String[] {"reviews", "ratings"}) {
      metrics.observe(release(name), status);
      metrics.analysis(release(name), Verdict.Pass);
    }

    metrics.forget(release("reviews"));

    assertThat(registry.getMeters())
        .extracting(Meter::getId)
        .noneMatch(id -> "reviews".equals(id.getTag("name")))
        .anyMatch(
            id ->
                "ratings".equals(id.getTag("name"))
                    && id.getName().equals("canary_release_canary_weight"));
    // observed again after a forget (a release of the same name), its series come back
    metrics.observe(release("reviews"), status);
    assertThat(registry.find("canary_release_canary_weight").tag("name", "reviews").gauge())
        .isNotNull()
        .satisfies(g -> assertThat(g.value()).isEqualTo(25.0));
  }
}
