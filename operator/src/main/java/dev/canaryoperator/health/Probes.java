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
 *   <li>Live unless this replica leads and an informer has not been watching for {@link #GRACE} (a
 *       watch that stopped for good, a cache that never syncs): then nothing reaches the reconciler
 *       any more, and a restart is the cure. A replica still starting is live.
 * </ul>
 */
public final class Probes {
  /** How long informers may be down before the replica is reported dead. */
  public static final Duration GRACE = Duration.ofSeconds(60);

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
  }

  private final Supplier<Runtime> runtime;
  private final Clock clock;
  private Instant unhealthySince;

  public Probes(Supplier<Runtime> runtime, Clock clock) {
    this.runtime = runtime;
    this.clock = clock;
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
    Set<String> unhealthy = r.started() && r.leading() ? r.unhealthyEventSources() : Set.of();
    Instant now = clock.instant();
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

  /** "controller/source" names of JOSDK's unhealthy event sources. */
  public static Set<String> names(Map<String, ? extends Map<String, ?>> byController) {
    Set<String> names = new TreeSet<>();
    byController.forEach(
        (controller, sources) -> sources.keySet().forEach(s -> names.add(controller + "/" + s)));
    return names;
  }
}
