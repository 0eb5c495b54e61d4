package dev.canaryoperator.reconciler;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.AnalysisTarget;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.ScriptedAnalysis;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AnalysisRunnerTest {
  static final java.time.Instant T0 = java.time.Instant.parse("2026-11-23T10:00:00Z");
  static final AnalysisTarget TARGET =
      new AnalysisTarget("shop", "reviews", release("reviews").spec());

  static Optional<AnalysisResult> awaitResult(AnalysisRunner runner, String rolloutId) {
    await().atMost(Duration.ofSeconds(5)).until(() -> !runner.running("shop/reviews"));
    return runner.poll("shop/reviews", rolloutId, null, T0).map(AnalysisRunner.Completed::result);
  }

  @Test
  void aResultStaysOnOfferUntilTheStatusHoldsIt() {
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    analysis.answer(Verdict.Fail);
    try (AnalysisRunner runner = new AnalysisRunner(analysis, 1)) {
      assertThat(runner.poll("shop/reviews", "r1", TARGET, T0)).isEmpty();
      assertThat(awaitResult(runner, "r1"))
          .get()
          .extracting(AnalysisResult::verdict)
          .isEqualTo(Verdict.Fail);
      // The status write failed: the next reconcile must see the same verdict, not a fresh round.
      assertThat(runner.poll("shop/reviews", "r1", TARGET, T0.plusSeconds(5)))
          .get()
          .satisfies(
              c -> {
                assertThat(c.result().verdict()).isEqualTo(Verdict.Fail);
                assertThat(c.startedAt())
                    .as("when it queried, not when it was picked up")
                    .isEqualTo(T0);
              });
      assertThat(analysis.calls()).isEqualTo(1);

      AnalysisRunner.Completed first = runner.poll("shop/reviews", "r1", null, T0).orElseThrow();
      runner.recorded("shop/reviews", first);
      assertThat(runner.poll("shop/reviews", "r1", null, T0)).isEmpty();
    }
  }

  @Test
  void recordingAResultNeverDropsAnAnalysisStartedAfterIt() {
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    try (AnalysisRunner runner = new AnalysisRunner(analysis, 1)) {
      runner.poll("shop/reviews", "r1", TARGET, T0);
      AnalysisRunner.Completed first = awaitCompleted(runner);
      runner.recorded("shop/reviews", first);
      // The next round starts and (being instant) finishes before the reconcile that started it
      // records anything: that bookkeeping must not throw the new result away.
      runner.poll("shop/reviews", "r1", TARGET, T0.plusSeconds(60));
      await().atMost(Duration.ofSeconds(5)).until(() -> !runner.running("shop/reviews"));
      runner.recorded("shop/reviews", first);
      assertThat(runner.poll("shop/reviews", "r1", null, T0.plusSeconds(61)))
          .get()
          .extracting(AnalysisRunner.Completed::startedAt)
          .isEqualTo(T0.plusSeconds(60));
    }
  }

  static AnalysisRunner.Completed awaitCompleted(AnalysisRunner runner) {
    await().atMost(Duration.ofSeconds(5)).until(() -> !runner.running("shop/reviews"));
    return runner.poll("shop/reviews", "r1", null, T0).orElseThrow();
  }

  @Test
  void aResultForAnEarlierRolloutIsDiscarded() {
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    try (AnalysisRunner runner = new AnalysisRunner(analysis, 1)) {
      runner.poll("shop/reviews", "r1", TARGET, T0);
      assertThat(awaitResult(runner, "r2")).isEmpty();
      assertThat(runner.poll("shop/reviews", "r2", null, T0)).isEmpty();
    }
  }

  @Test
  void aHangingPrometheusHoldsOnlyItsOwnReleases() throws Exception {
    CountDownLatch hangs = new CountDownLatch(1);
    AtomicInteger hanging = new AtomicInteger();
    Analysis analysis =
        target -> {
          if (AnalysisRunner.endpoint(target).equals("http://hanging:9090")) {
            hanging.incrementAndGet();
            try {
              hangs.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return AnalysisResult.inconclusive("Prometheus did not answer");
          }
          return AnalysisResult.fail(
              new Measurement(1000.0, 0.05, 100.0),
              new Measurement(9000.0, 0.01, 100.0),
              "canary 5xx 5% vs stable 1%");
        };
    try (AnalysisRunner runner = new AnalysisRunner(analysis, 2)) {
      // ten releases on the hanging Prometheus: five times its threads
      for (int i = 0; i < 10; i++) {
        runner.poll("shop/hung-" + i, "r1", target("hung-" + i, "http://hanging:9090"), T0);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> hanging.get() == 2);

      runner.poll("shop/failing", "r1", target("failing", "http://healthy:9090"), T0);
      await("the failing canary's verdict while the other Prometheus still hangs")
          .atMost(Duration.ofSeconds(5))
          .until(() -> !runner.running("shop/failing"));
      assertThat(runner.poll("shop/failing", "r1", null, T0))
          .get()
          .extracting(c -> c.result().verdict())
          .isEqualTo(Verdict.Fail);
      assertThat(hangs.getCount()).as("nothing on the hanging Prometheus has answered").isOne();
      assertThat(hanging.get()).as("its queue waits for its own threads").isEqualTo(2);
    } finally {
      hangs.countDown();
    }
  }

  private static AnalysisTarget target(String name, String prometheus) {
    var spec = release(name).spec();
    spec.getAnalysis().setPrometheus(new PrometheusSpec(prometheus));
    return new AnalysisTarget("shop", name, spec);
  }

  @Test
  void anAnalysisThatThrowsIsInconclusiveNotACrash() {
    try (AnalysisRunner runner =
        new AnalysisRunner(
            target -> {
              throw new IllegalStateException("boom");
            },
            1)) {
      runner.poll("shop/reviews", "r1", TARGET, T0);
      assertThat(awaitResult(runner, "r1"))
          .get()
          .satisfies(
              r -> {
                assertThat(r.verdict()).isEqualTo(Verdict.Inconclusive);
                assertThat(r.reason()).contains("boom");
              });
    }
  }
}
