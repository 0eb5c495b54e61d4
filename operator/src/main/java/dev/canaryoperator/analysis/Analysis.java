package dev.canaryoperator.analysis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The port through which the rollout asks "is the canary as good as the stable right now?".
 * Implementations may block on I/O; the reconciler calls them off its own threads.
 */
public interface Analysis {
  AnalysisResult analyze(AnalysisTarget target);

  /**
   * The same, as a future. Blocking implementations keep this default, which runs {@link #analyze}
   * on {@code executor}; non-blocking ones use the executor only for what must block and hold no
   * thread while waiting.
   */
  default CompletableFuture<AnalysisResult> analyzeAsync(AnalysisTarget target, Executor executor) {
    return CompletableFuture.supplyAsync(() -> analyze(target), executor);
  }
}
