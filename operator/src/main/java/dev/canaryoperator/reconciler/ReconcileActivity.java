package dev.canaryoperator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which reconciles are running since when, and when each release asked to be reconciled again: what
 * /healthz needs to tell an operator that can no longer reconcile (a thread stuck in a reconcile,
 * or event processing that stopped while informers still watch) from a busy one.
 */
public final class ReconcileActivity {
  private final Map<String, Instant> running = new ConcurrentHashMap<>();
  private final Map<String, Instant> due = new ConcurrentHashMap<>();

  void started(String release, Instant now) {
    running.put(release, now);
    due.remove(release);
  }

  /**
   * @param again when the release asked to be reconciled next, or null for only on an event
   */
  void finished(String release, Instant now, Duration again) {
    running.remove(release);
    if (again != null) {
      due.put(release, now.plus(again));
    }
  }

  void forget(String release) {
    running.remove(release);
    due.remove(release);
  }

  /** Reconciles running now, by release ("namespace/name"), with their start. */
  public Map<String, Instant> runningSince() {
    return Map.copyOf(running);
  }

  /**
   * Releases waiting for a reconcile they asked for, with the time it is due. A release no longer
   * there is forgotten: deleted without the cleanup (its finalizer removed by hand), it will never
   * be reconciled, and must not count as overdue.
   */
  public Map<String, Instant> dueAt(Predicate<String> stillThere) {
    due.keySet().removeIf(release -> !stillThere.test(release));
    return Map.copyOf(due);
  }
}
