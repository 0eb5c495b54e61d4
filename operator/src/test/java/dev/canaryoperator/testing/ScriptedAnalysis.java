package dev.canaryoperator.testing;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.AnalysisTarget;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.Verdict;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An Analysis double whose verdict the test sets; for tests about the rollout, not about
 * Prometheus.
 */
public final class ScriptedAnalysis implements Analysis {
  private final AtomicReference<Verdict> verdict = new AtomicReference<>(Verdict.Pass);
  private final AtomicInteger calls = new AtomicInteger();

  public void answer(Verdict next) {
    verdict.set(next);
  }

  public int calls() {
    return calls.get();
  }

  @Override
  public AnalysisResult analyze(AnalysisTarget target) {
    calls.incrementAndGet();
    return switch (verdict.get()) {
      case Pass ->
          AnalysisResult.pass(
              new Measurement(1000.0, 0.01, 100.0),
              new Measurement(9000.0, 0.01, 100.0),
              "canary 5xx 1.0% vs stable 1.0%, mean latency 100 ms vs 100 ms");
      case Fail ->
          AnalysisResult.fail(
              new Measurement(1000.0, 0.042, 100.0),
              new Measurement(9000.0, 0.011, 100.0),
              "canary 5xx rate 4.2% > 2.0 x stable 1.1%");
      case Inconclusive ->
          AnalysisResult.inconclusive("Prometheus at http://prometheus:9090 unreachable");
      case Collecting ->
          new AnalysisResult(
              Verdict.Collecting,
              new Measurement(40.0, 0.025, 100.0),
              new Measurement(360.0, 0.011, 100.0),
              "collecting evidence: canary 5xx 2.5% vs stable 1.1%: about 900 more canary"
                  + " requests to decide",
              java.util.List.of());
    };
  }
}
