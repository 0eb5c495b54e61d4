package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.AnalysisTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses off the reconciler threads, at most one in flight per release, and says when one
 * has a result, which stays on offer until the status records it.
 *
 * <p>Every Prometheus endpoint has its own threads (a bulkhead) for what an analysis must do
 * blocking (reading a credentials Secret; all of it for an analysis that is not asynchronous): a
 * Prometheus that hangs holds only what its own releases use, and another release's failing canary
 * is judged (and rolled back) as soon as its own Prometheus answers. Idle endpoints cost no thread;
 * past {@link #MAX_ENDPOINTS} distinct endpoints the rest share one more pool.
 */
final class AnalysisRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnalysisRunner.class);

  private record InFlight(
      String rolloutId,
      Instant startedAt,
      CompletableFuture<AnalysisResult> result,
      long startNanos,
      AtomicLong doneNanos) {}

  /**
   * A finished analysis, when it started querying, how long it took and how long its result has
   * waited since.
   */
  record Completed(
      AnalysisResult result, Instant startedAt, Duration took, long doneNanos, Object token) {
    Duration waited() {
      return Duration.ofNanos(System.nanoTime() - doneNanos);
    }
  }

  static final int MAX_ENDPOINTS = 64;
  private static final String OVERFLOW = "(other endpoints)";

  private final Analysis analysis;
  private final int threadsPerEndpoint;
  private final Consumer<String> whenDone;
  private final Map<String, ExecutorService> endpoints = new ConcurrentHashMap<>();
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  /**
   * @param threadsPerEndpoint analyses run at once against one Prometheus
   */
  AnalysisRunner(Analysis analysis, int threadsPerEndpoint) {
    this(analysis, threadsPerEndpoint, releaseKey -> {});
  }

  /**
   * @param whenDone told the release's key as soon as its analysis has a result
   */
  AnalysisRunner(Analysis analysis, int threadsPerEndpoint, Consumer<String> whenDone) {
    this.analysis = analysis;
    this.threadsPerEndpoint = threadsPerEndpoint;
    this.whenDone = whenDone;
  }

  private ExecutorService executorFor(AnalysisTarget target) {
    String endpoint = endpoint(target);
    if (!endpoints.containsKey(endpoint) && endpoints.size() >= MAX_ENDPOINTS) {
      endpoint = OVERFLOW;
    }
    return endpoints.computeIfAbsent(endpoint, this::pool);
  }

  /** The Prometheus a target is measured by; a spec without one is judged on a pool of its own. */
  static String endpoint(AnalysisTarget target) {
    var spec = target.spec();
    if (spec == null
        || spec.getAnalysis() == null
        || spec.getAnalysis().getPrometheus() == null
        || spec.getAnalysis().getPrometheus().getUrl() == null) {
      return "";
    }
    return spec.getAnalysis().getPrometheus().getUrl().trim();
  }

  private ExecutorService pool(String endpoint) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threadsPerEndpoint,
            threadsPerEndpoint,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "analysis " + endpoint);
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * A finished result for this release and rollout if there is one; otherwise starts an analysis
   * when {@code dueTarget} is given and none is running. A returned result stays on offer until
   * {@link #recorded} says the status holds it, so a failed status write cannot lose a verdict (and
   * a lost Fail must never let the next reconcile put the canary's traffic back).
   */
  Optional<Completed> poll(
      String releaseKey, String rolloutId, AnalysisTarget dueTarget, Instant now) {
    // whenDone is called once the result is in, so the caller need not poll
    InFlight running = inFlight.get(releaseKey);
    if (running != null) {
      if (!running.result().isDone()) {
        return Optional.empty();
      }
      if (running.rolloutId().equals(rolloutId)) {
        long done = running.doneNanos().get();
        return Optional.of(
            new Completed(
                running.result().join(),
                running.startedAt(),
                Duration.ofNanos(done - running.startNanos()),
                done,
                running));
      }
      // A result measured for an earlier rollout says nothing about this one.
      inFlight.remove(releaseKey, running);
    }
    if (dueTarget != null) {
      long startNanos = System.nanoTime();
      AtomicLong doneNanos = new AtomicLong(startNanos);
      CompletableFuture<AnalysisResult> result =
          run(dueTarget).whenComplete((r, e) -> doneNanos.set(System.nanoTime()));
      inFlight.put(releaseKey, new InFlight(rolloutId, now, result, startNanos, doneNanos));
      result.whenComplete((r, e) -> whenDone.accept(releaseKey));
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

  private CompletableFuture<AnalysisResult> run(AnalysisTarget target) {
    CompletableFuture<AnalysisResult> result;
    try {
      result = analysis.analyzeAsync(target, executorFor(target));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.exceptionally(
        e -> {
          log.warn("analysis of {}/{} failed: {}", target.namespace(), target.name(), e.toString());
          return AnalysisResult.inconclusive("analysis failed: " + e.getMessage());
        });
  }

  @Override
  public void close() {
    endpoints.values().forEach(ExecutorService::shutdownNow);
  }
}
