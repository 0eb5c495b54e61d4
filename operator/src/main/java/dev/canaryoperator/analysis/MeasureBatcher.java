package dev.canaryoperator.analysis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures the sides of many releases together: rounds that begin within {@link #LINGER} of each
 * other against the same Prometheus are evaluated at the same time ({@link #evaluationTime}), and
 * their sides with the same span share one grouped query per measure (four in all) instead of four
 * each. Prometheus then sees a number of queries that grows with the distinct (Prometheus, time,
 * span) groups, not with the releases.
 */
final class MeasureBatcher implements AutoCloseable {
  /** How long a group waits for more sides; short next to any analysis interval (1 s at least). */
  static final Duration LINGER = Duration.ofMillis(200);

  /** Sides in one grouped query: a histogram answer for this many stays far below the size cap. */
  static final int MAX_SIDES = 200;

  private record GroupKey(PrometheusClient.Endpoint endpoint, Instant time, Duration span) {}

  private record Pending(MeshDestination side, CompletableFuture<SideReadings> readings) {}

  private static final class Group {
    final PrometheusClient client;
    final List<Pending> pending = new ArrayList<>();
    final Set<MeshDestination> sides = new LinkedHashSet<>();

    Group(PrometheusClient client) {
      this.client = client;
    }
  }

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "analysis batches");
            t.setDaemon(true);
            return t;
          });
  private final Map<GroupKey, Group> open = new HashMap<>();

  /** Per endpoint, the evaluation time rounds share while it is younger than the linger. */
  private final Map<PrometheusClient.Endpoint, Instant> ticks = new HashMap<>();

  private final Clock clock;
  private final Duration linger;

  MeasureBatcher(Clock clock) {
    this(clock, LINGER);
  }

  MeasureBatcher(Clock clock, Duration linger) {
    this.clock = clock;
    this.linger = linger;
  }

  /**
   * The time a round against this endpoint is evaluated at: now, or the time of a round that began
   * less than the linger ago, so that the two can share their queries.
   */
  Instant evaluationTime(PrometheusClient.Endpoint endpoint) {
    Instant now = clock.instant();
    synchronized (open) {
      Instant tick = ticks.get(endpoint);
      if (tick != null && !now.isBefore(tick) && now.isBefore(tick.plus(linger))) {
        return tick;
      }
      if (ticks.size() > MAX_SIDES) {
        ticks.clear();
      }
      ticks.put(endpoint, now);
      return now;
    }
  }

  /** The side's readings at {@code time} over {@code span}, measured with whatever else is due. */
  CompletableFuture<SideReadings> measure(
      PrometheusClient client, MeshDestination side, Instant time, Duration span) {
    GroupKey key = new GroupKey(client.endpoint(), time, span);
    CompletableFuture<SideReadings> readings = new CompletableFuture<>();
    Group full = null;
    synchronized (open) {
      Group group = open.get(key);
      if (group == null) {
        // a client of its own: a round that gives up must not abandon the group's queries
        group = new Group(client.copy());
        open.put(key, group);
        Group opened = group;
        timer.schedule(() -> flush(key, opened), linger.toMillis(), TimeUnit.MILLISECONDS);
      }
      group.pending.add(new Pending(side, readings));
      group.sides.add(side);
      if (group.sides.size() >= MAX_SIDES) {
        open.remove(key, group);
        full = group;
      }
    }
    if (full != null) {
      send(key, full);
    }
    return readings;
  }

  private void flush(GroupKey key, Group group) {
    boolean due;
    synchronized (open) {
      due = open.remove(key, group);
    }
    if (due) {
      send(key, group);
    }
  }

  private static void send(GroupKey key, Group group) {
    GroupedQueries queries = GroupedQueries.of(group.sides, key.span());
    PrometheusClient client = group.client;
    Instant time = key.time();
    var requests = SideMeasures.Answer.of(client.queryAsync(queries.requests(), time));
    var errors = SideMeasures.Answer.of(client.queryAsync(queries.errors(), time));
    var buckets = SideMeasures.Answer.of(client.queryAsync(queries.latencyBuckets(), time));
    var sum = SideMeasures.Answer.of(client.queryAsync(queries.latencySum(), time));
    CompletableFuture.allOf(requests, errors, buckets, sum)
        .whenComplete(
            (done, failure) -> {
              for (Pending p : group.pending) {
                try {
                  p.readings()
                      .complete(
                          SideMeasures.readings(
                              p.side()::matches,
                              requests.join(),
                              errors.join(),
                              buckets.join(),
                              sum.join()));
                } catch (PrometheusQueryException | RuntimeException e) {
                  p.readings().completeExceptionally(e);
                }
              }
            });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
