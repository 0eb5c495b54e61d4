package dev.canaryoperator.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * What /readyz and /healthz answer.
 *
 * <ul>
 *   <li>Ready when this replica reconciles and every informer has synced and watches; a standby
 *       under leader election (no informers until it wins the lease) is ready too, and says it is
 *       standing by: its readiness means "can take over", and a standby reported unready would
 *       block the chart's rolling updates for nothing.
 *   <li>Live unless this replica leads and cannot reconcile any more, for which a restart is the
 *       cure: an informer has not been watching for {@link #GRACE} (a watch that stopped for good,
 *       a cache that never syncs: nothing reaches the reconciler); a reconcile has been running for
 *       longer than the stall limit (a thread stuck: every write and read in a reconcile has its
 *       own timeout, and analyses, gates and notifications run outside it); or a release asked to
 *       be reconciled again and is overdue by more than that limit (event processing that stopped
 *       while the informers still watch). A replica still starting is live. The limit ({@link
 *       #STALL}, 5 minutes) is far above the worst lateness measured at 5,000 releases on one
 *       replica (docs/scale.md), so a busy operator is never killed.
 * </ul>
 */
public final class Probes {
  /** How long informers may be down before the replica is reported dead. */
  public static final Duration GRACE = Duration.ofSeconds(60);

  /** How long a reconcile may run, or a release wait past its due time, before it is a stall. */
  public static final Duration STALL = Duration.ofMinutes(5);

  public record Answer(int status, String body) {
    boolean ok() {
      return status == 200;
    }
  }

  /** What the operator reports about itself. */
  public interface Runtime {
    boolean started();

    /** Leads (always, without leader election). */
    boolean leading();

    /** Event sources by name that have not synced or stopped watching, empty when all are fine. */
    Set<String> unhealthyEventSources();

    /** Reconciles running now, by release, with their start. */
    Map<String, Instant> reconcilesRunningSince();

    /** Releases waiting for a reconcile they asked for, with the time it is due. */
    Map<String, Instant> reconcilesDueAt();
  }

  private final Supplier<Runtime> runtime;
  private final Clock clock;
  private final Duration stall;
  private Instant unhealthySince;

  public Probes(Supplier<Runtime> runtime, Clock clock) {
    this(runtime, clock, STALL);
  }

  public Probes(Supplier<Runtime> runtime, Clock clock, Duration stall) {
    this.runtime = runtime;
    this.clock = clock;
    this.stall = stall;
  }

  public Answer readiness() {
    Runtime r = runtime.get();
    if (!r.started()) {
      return new Answer(503, "not ready: starting");
    }
    if (!r.leading()) {
      return new Answer(200, "standby: not the leader; ready to take over");
    }
    Set<String> unhealthy = r.unhealthyEventSources();
    if (!unhealthy.isEmpty()) {
      return new Answer(
          503, "not ready: not synced or not watching: " + String.join(", ", unhealthy));
    }
    return new Answer(200, "ready: every informer has synced and watches");
  }

  public synchronized Answer liveness() {
    Runtime r = runtime.get();
    boolean reconciling = r.started() && r.leading();
    Set<String> unhealthy = reconciling ? r.unhealthyEventSources() : Set.of();
    Instant now = clock.instant();
    if (reconciling) {
      Answer stalled = stalled(r, now);
      if (stalled != null) {
        return stalled;
      }
    }
    if (unhealthy.isEmpty()) {
      unhealthySince = null;
      return new Answer(200, r.started() ? "ok" : "ok: starting");
    }
    if (unhealthySince == null) {
      unhealthySince = now;
    }
    Duration down = Duration.between(unhealthySince, now);
    if (down.compareTo(GRACE) < 0) {
      return new Answer(200, "ok: not watching for " + down.toSeconds() + "s: " + unhealthy);
    }
    return new Answer(
        503,
        "cannot reconcile: not watching for "
            + down.toSeconds()
            + "s: "
            + String.join(", ", unhealthy));
  }

  private Answer stalled(Runtime r, Instant now) {
    Map.Entry<String, Instant> longest = earliest(r.reconcilesRunningSince());
    if (longest != null && Duration.between(longest.getValue(), now).compareTo(stall) > 0) {
      return new Answer(
          503,
          "cannot reconcile: the reconcile of "
              + longest.getKey()
              + " has been running for "
              + Duration.between(longest.getValue(), now).toSeconds()
              + "s (a stuck thread)");
    }
    Map.Entry<String, Instant> overdue = earliest(r.reconcilesDueAt());
    if (overdue != null && Duration.between(overdue.getValue(), now).compareTo(stall) > 0) {
      return new Answer(
          503,
          "cannot reconcile: "
              + overdue.getKey()
              + " was due "
              + Duration.between(overdue.getValue(), now).toSeconds()
              + "s ago and has not been reconciled (event processing stopped)");
    }
    return null;
  }

  private static Map.Entry<String, Instant> earliest(Map<String, Instant> times) {
    return times.entrySet().stream().min(Map.Entry.comparingByValue()).orElse(null);
  }

  /** "controller/source" names of JOSDK's unhealthy event sources. */
  public static Set<String> names(Map<String, ? extends Map<String, ?>> byController) {
    Set<String> names = new TreeSet<>();
    byController.forEach(
        (controller, sources) -> sources.keySet().forEach(s -> names.add(controller + "/" + s)));
    return names;
  }
}
