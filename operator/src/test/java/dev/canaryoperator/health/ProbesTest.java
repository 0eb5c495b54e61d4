package dev.canaryoperator.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProbesTest {
  private boolean started = true;
  private boolean leading = true;
  private Set<String> unhealthy = Set.of();
  private Map<String, Instant> running = Map.of();
  private Map<String, Instant> due = Map.of();
  private Instant now = Instant.parse("2026-12-07T10:00:00Z");

  private final Probes probes =
      new Probes(
          () ->
              new Probes.Runtime() {
                @Override
                public boolean started() {
                  return started;
                }

                @Override
                public boolean leading() {
                  return leading;
                }

                @Override
                public Set<String> unhealthyEventSources() {
                  return unhealthy;
                }

                @Override
                public Map<String, Instant> reconcilesRunningSince() {
                  return running;
                }

                @Override
                public Map<String, Instant> reconcilesDueAt() {
                  return due;
                }
              },
          new Clock() {
            @Override
            public ZoneId getZone() {
              return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now;
            }
          });

  @Test
  void readyOnlyOnceStartedWithEveryInformerSynced() {
    started = false;
    assertThat(probes.readiness()).isEqualTo(new Probes.Answer(503, "not ready: starting"));

    started = true;
    unhealthy = Set.of("canaryrelease/virtualservices");
    assertThat(probes.readiness().status()).isEqualTo(503);
    assertThat(probes.readiness().body()).contains("canaryrelease/virtualservices");

    unhealthy = Set.of();
    assertThat(probes.readiness().status()).isEqualTo(200);
  }

  @Test
  void aStandbyIsLiveAndReadyAndSaysItStandsBy() {
    leading = false;
    unhealthy = Set.of("canaryrelease/canaryrelease");

    assertThat(probes.readiness())
        .isEqualTo(new Probes.Answer(200, "standby: not the leader; ready to take over"));
    assertThat(probes.liveness().status()).isEqualTo(200);
  }

  @Test
  void deadOnlyWhenTheInformersStayDownPastTheGrace() {
    unhealthy = Set.of("canaryrelease/canaryrelease");
    assertThat(probes.liveness().status()).isEqualTo(200);

    now = now.plus(Probes.GRACE.minusSeconds(1));
    assertThat(probes.liveness().status()).isEqualTo(200);

    now = now.plus(Duration.ofSeconds(1));
    Probes.Answer dead = probes.liveness();
    assertThat(dead.status()).isEqualTo(503);
    assertThat(dead.body()).startsWith("cannot reconcile: not watching for 60s");

    // back to watching: alive again, and the grace starts over next time
    unhealthy = Set.of();
    assertThat(probes.liveness().status()).isEqualTo(200);
    unhealthy = Set.of("canaryrelease/canaryrelease");
    assertThat(probes.liveness().status()).isEqualTo(200);
  }

  @Test
  void deadWhenAReconcileHasRunPastTheStallLimitAndNamesIt() {
    running =
        Map.of(
            "shop/reviews", now.minus(Probes.STALL),
            "shop/ratings", now.minusSeconds(2));
    assertThat(probes.liveness().status()).as("exactly at the limit").isEqualTo(200);

    now = now.plusSeconds(1);
    assertThat(probes.liveness())
        .isEqualTo(
            new Probes.Answer(
                503,
                "cannot reconcile: the reconcile of shop/reviews has been running for 301s"
                    + " (a stuck thread)"));

    running = Map.of("shop/ratings", now.minusSeconds(2));
    assertThat(probes.liveness().status()).isEqualTo(200);
  }

  @Test
  void deadWhenAReleaseIsOverduePastTheStallLimitWhileTheInformersWatch() {
    due = Map.of("shop/reviews", now.minus(Duration.ofMinutes(4)), "shop/ratings", now);
    assertThat(probes.liveness().status()).as("late, as a busy operator is").isEqualTo(200);

    now = now.plus(Duration.ofMinutes(2));
    Probes.Answer dead = probes.liveness();
    assertThat(dead.status()).isEqualTo(503);
    assertThat(dead.body())
        .isEqualTo(
            "cannot reconcile: shop/reviews was due 360s ago and has not been reconciled"
                + " (event processing stopped)");
  }

  @Test
  void aStandbyIsNeverStalledByWhatItDoesNotReconcile() {
    leading = false;
    running = Map.of("shop/reviews", now.minus(Duration.ofHours(1)));
    due = Map.of("shop/reviews", now.minus(Duration.ofHours(1)));
    assertThat(probes.liveness().status()).isEqualTo(200);
  }
}
