package dev.canaryoperator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReconcileActivityTest {
  private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");
  private final ReconcileActivity activity = new ReconcileActivity();

  @Test
  void aRunningReconcileIsSeenUntilItEndsAndItsWakeUpIsDueAfterwards() {
    activity.started("shop/reviews", T0);
    assertThat(activity.runningSince()).containsEntry("shop/reviews", T0);
    assertThat(activity.dueAt(release -> true)).isEmpty();

    activity.finished("shop/reviews", T0.plusSeconds(1), Duration.ofSeconds(30));
    assertThat(activity.runningSince()).isEmpty();
    assertThat(activity.dueAt(release -> true)).containsEntry("shop/reviews", T0.plusSeconds(31));
  }

  @Test
  void aReconcileStartingEarlyTakesTheWakeUpItWasDueFor() {
    activity.finished("shop/reviews", T0, Duration.ofSeconds(30));
    activity.started("shop/reviews", T0.plusSeconds(5));
    assertThat(activity.dueAt(release -> true)).isEmpty();
  }

  @Test
  void aReleaseWaitingOnlyForEventsIsNeverDueAndADeletedOneIsForgotten() {
    activity.finished("shop/promoted", T0, null);
    assertThat(activity.dueAt(release -> true)).isEmpty();

    activity.started("shop/deleted", T0);
    activity.finished("shop/deleted", T0, Duration.ofSeconds(10));
    activity.started("shop/deleted", T0.plusSeconds(10));
    activity.forget("shop/deleted");
    assertThat(activity.runningSince()).isEmpty();
    assertThat(activity.dueAt(release -> true)).isEmpty();
  }

  @Test
  void aReleaseGoneWithoutItsCleanupIsNeverOverdue() {
    activity.finished("shop/reviews", T0, Duration.ofSeconds(10));
    activity.finished("shop/ratings", T0, Duration.ofSeconds(10));

    assertThat(activity.dueAt(release -> !release.equals("shop/reviews")))
        .containsOnlyKeys("shop/ratings");
    assertThat(activity.dueAt(release -> true))
        .as("forgotten for good")
        .containsOnlyKeys("shop/ratings");
  }
}
