package dev.canaryoperator.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackendBehaviourTest {

  @Test
  void withoutSpreadEveryRequestTakesTheConfiguredLatency() {
    var b = new BackendBehaviour(0, 503, 120, 0);
    Random random = new Random(1);
    for (int i = 0; i < 100; i++) {
      assertThat(b.sampleLatencyNanos(random)).isEqualTo(120_000_000L);
    }
  }

  @Test
  void logNormalLatencyKeepsTheConfiguredMeanAndHasATail() {
    var b = new BackendBehaviour(0, 503, 100, 0.5);
    Random random = new Random(7);
    long[] ms = new long[200_000];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = b.sampleLatencyNanos(random) / 1_000_000;
    }
    double mean = Arrays.stream(ms).average().orElseThrow();
    Arrays.sort(ms);
    // sd of the mean: 100 * sqrt(e^0.25 - 1) / sqrt(2e5) ~ 0.12 ms; truncation to whole ms costs
    // ~0.5
    assertThat(mean).isCloseTo(99.5, within(1.5));
    long median = ms[ms.length / 2];
    long p99 = ms[(int) (ms.length * 0.99)];
    assertThat(median).isBetween(85L, 91L); // 100 * e^(-0.125) = 88.2
    assertThat((double) p99 / median).isBetween(2.9, 3.5); // e^(2.326 * 0.5) = 3.2
  }

  @Test
  void errorRateIsTheFractionOfFailures() {
    Random random = new Random(3);
    var b = new BackendBehaviour(0.03, 503, 0, 0);
    int failures = 0, n = 100_000;
    for (int i = 0; i < n; i++) {
      failures += b.sampleError(random) ? 1 : 0;
    }
    assertThat(failures / (double) n).isCloseTo(0.03, within(0.003));
    assertThat(new BackendBehaviour(0, 503, 0, 0).sampleError(random)).isFalse();
    assertThat(new BackendBehaviour(1, 503, 0, 0).sampleError(random)).isTrue();
  }

  @Test
  void changesKeepWhatIsNotNamed() {
    var b = BackendBehaviour.HEALTHY.with(Map.of("errorRate", "0.05", "latencyMs", "140"));
    assertThat(b)
        .isEqualTo(
            new BackendBehaviour(
                0.05,
                BackendBehaviour.HEALTHY.errorStatus(),
                140,
                BackendBehaviour.HEALTHY.latencySigma()));
  }

  @Test
  void badSettingsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> BackendBehaviour.HEALTHY.with(Map.of("errorRate", "1.5")))
        .hasMessageContaining("errorRate must be within 0..1");
    assertThatThrownBy(() -> BackendBehaviour.HEALTHY.with(Map.of("errorStatus", "404")))
        .hasMessageContaining("5xx");
    assertThatThrownBy(() -> BackendBehaviour.HEALTHY.with(Map.of("latencyMs", "fast")))
        .hasMessageContaining("not a number for latencyMs");
    assertThatThrownBy(() -> BackendBehaviour.HEALTHY.with(Map.of("latency", "3")))
        .hasMessageContaining("unknown backend setting 'latency'");
  }
}
