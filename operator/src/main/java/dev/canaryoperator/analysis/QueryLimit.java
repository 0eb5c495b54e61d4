package dev.canaryoperator.analysis;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * At most so many queries in flight at once against one Prometheus (a bulkhead); the rest wait
 * their turn in order, holding no thread. A query whose caller has given up before its turn (the
 * round timed out) is not sent at all.
 */
final class QueryLimit {
  /** No limit: every query goes out at once. */
  static final QueryLimit NONE = new QueryLimit(Integer.MAX_VALUE);

  private final int maxInFlight;
  private final Queue<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;

  private record Waiting(CompletableFuture<?> result, Runnable start) {}

  QueryLimit(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
  }

  /** Starts {@code send} now or when a query in flight ends. */
  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> send) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start =
        () -> {
          CompletableFuture<T> sent;
          try {
            sent = send.get();
          } catch (RuntimeException e) {
            release();
            result.completeExceptionally(e);
            return;
          }
          sent.whenComplete(
              (value, failure) -> {
                release();
                if (failure != null) {
                  result.completeExceptionally(failure);
                } else {
                  result.complete(value);
                }
              });
          // a caller that gives up also gives up the request
          result.whenComplete((value, failure) -> sent.cancel(true));
        };
    boolean now;
    synchronized (this) {
      now = inFlight < maxInFlight;
      if (now) {
        inFlight++;
      } else {
        waiting.add(new Waiting(result, start));
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  private void release() {
    Waiting next;
    synchronized (this) {
      do {
        next = waiting.poll();
      } while (next != null && next.result().isDone());
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.start().run();
    }
  }

  synchronized int inFlight() {
    return inFlight;
  }
}
