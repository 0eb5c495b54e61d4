package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.AnalysisTarget;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses off the reconciler threads, at most one in flight per release, so a slow
 * Prometheus delays only the release that waits for it. The reconciler polls for the result.
 */
final class AnalysisRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnalysisRunner.class);

  private record InFlight(String rolloutId, CompletableFuture<AnalysisResult> result) {}

  private final Analysis analysis;
  private final ExecutorService executor;
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  AnalysisRunner(Analysis analysis, int threads) {
    this.analysis = analysis;
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "analysis");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A finished result for this release and rollout if there is one; otherwise starts an analysis
   * when {@code dueTarget} is given and none is running.
   */
  Optional<AnalysisResult> poll(String releaseKey, String rolloutId, AnalysisTarget dueTarget) {
    InFlight running = inFlight.get(releaseKey);
    if (running != null) {
      if (!running.result().isDone()) {
        return Optional.empty();
      }
      inFlight.remove(releaseKey, running);
      if (running.rolloutId().equals(rolloutId)) {
        return Optional.of(running.result().join());
      }
      // A result measured for an earlier rollout says nothing about this one.
    }
    if (dueTarget != null) {
      inFlight.put(releaseKey, new InFlight(rolloutId, CompletableFuture.supplyAsync(() -> run(dueTarget), executor)));
    }
    return Optional.empty();
  }

  boolean running(String releaseKey) {
    return inFlight.containsKey(releaseKey);
  }

  private AnalysisResult run(AnalysisTarget target) {
    try {
      return analysis.analyze(target);
    } catch (RuntimeException e) {
      log.warn("analysis of {}/{} failed: {}", target.namespace(), target.name(), e.toString());
      return AnalysisResult.inconclusive("analysis failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
