package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.AnalysisTarget;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses off the reconciler threads, at most one in flight per release, so a slow Prometheus
 * delays only the release that waits for it. The reconciler polls for the result.
 */
final class AnalysisRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnalysisRunner.class);

  private record InFlight(
      String rolloutId, Instant startedAt, CompletableFuture<AnalysisResult> result) {}

  /** A finished analysis and when it started querying. */
  record Completed(AnalysisResult result, Instant startedAt, Object token) {}

  private final Analysis analysis;
  private final ExecutorService executor;
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  AnalysisRunner(Analysis analysis, int threads) {
    this.analysis = analysis;
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "analysis");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A finished result for this release and rollout if there is one; otherwise starts an analysis
   * when {@code dueTarget} is given and none is running. A returned result stays on offer until
   * {@link #recorded} says the status holds it, so a failed status write cannot lose a verdict (and
   * a lost Fail must never let the next reconcile put the canary's traffic back).
   */
  Optional<Completed> poll(
      String releaseKey, String rolloutId, AnalysisTarget dueTarget, Instant now) {
    InFlight running = inFlight.get(releaseKey);
    if (running != null) {
      if (!running.result().isDone()) {
        return Optional.empty();
      }
      if (running.rolloutId().equals(rolloutId)) {
        return Optional.of(new Completed(running.result().join(), running.startedAt(), running));
      }
      // A result measured for an earlier rollout says nothing about this one.
      inFlight.remove(releaseKey, running);
    }
    if (dueTarget != null) {
      inFlight.put(
          releaseKey,
          new InFlight(
              rolloutId, now, CompletableFuture.supplyAsync(() -> run(dueTarget), executor)));
    }
    return Optional.empty();
  }

  /**
   * The status now holds this result: it is consumed. Only that very analysis is forgotten; one
   * started later (and perhaps already finished) stays on offer.
   */
  void recorded(String releaseKey, Completed completed) {
    inFlight.remove(releaseKey, completed.token());
  }

  /** The release is gone: a result still on offer (or in flight) is of no use to anyone. */
  void forget(String releaseKey) {
    InFlight dropped = inFlight.remove(releaseKey);
    if (dropped != null) {
      dropped.result().cancel(true);
    }
  }

  boolean running(String releaseKey) {
    InFlight running = inFlight.get(releaseKey);
    return running != null && !running.result().isDone();
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
