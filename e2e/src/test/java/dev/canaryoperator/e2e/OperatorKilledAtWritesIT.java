package dev.canaryoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.simulator.BackendBehaviour;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator process SIGKILLed on its own writes, at every transition of a promotion and of a
 * rollback, the instant the test's watch sees the write (the status that records a decision, and
 * the VirtualService that carries it): traffic never moves backwards and a rollback is never
 * undone, on a real kube-apiserver with a real Prometheus judging the simulated mesh.
 */
class OperatorKilledAtWritesIT extends MeshStackTest {
  private static final String RELEASE = "reviews";

  private WriteKiller killer;

  @AfterEach
  void closeKiller() {
    if (killer != null) {
      killer.close();
    }
  }

  @Test
  void killedAtEveryStepOfAPromotionTrafficNeverMovesBackwards() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("killed-promote"));
    status = mesh.statusLog(RELEASE);
    killer = new WriteKiller(stack.client(), mesh, RELEASE, Mesh::canaryWeight);
    mesh.apply(
        ReleasePlan.of(Duration.ofSeconds(6), 5, 10, 25, 50, 100)
            .release(RELEASE, stack.prometheusUrl()));

    await("Promoted")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .failFast("rolled back", () -> phase() == Phase.RolledBack || phase() == Phase.Failed)
        .until(() -> phase() == Phase.Promoted);
    killer.disarm();
    await("the last restart's reconcile")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> Mesh.canaryWeight(mesh.virtualService()) == 100);

    System.out.printf("promotion: %d kills: %s%n", killer.kills().size(), killer.kills());
    // once per new weight in the VirtualService and once per new (phase, weight) in the status
    assertThat(killer.kills()).as("kills").hasSizeGreaterThanOrEqualTo(10);
    assertThat(killer.weights())
        .as("canary weights the VirtualService carried")
        .containsExactly(0, 5, 10, 25, 50, 100);
    CanaryReleaseStatus last = status.latest();
    assertThat(last.getHistory())
        .extracting(HistoryEntry::getReason)
        .filteredOn(r -> !r.startsWith("Analysis"))
        .containsExactly(
            "RolloutStarted",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "Promoted");
    assertNoStepObservedAgain();
  }

  @Test
  void killedAtTheRollbackTheCanaryStaysAtZero() throws Exception {
    // 15% errors on both sides, then 45% on the canary: see CanaryRolloutIT
    mesh = stack.mesh(MeshSpec.healthy("killed-rollback").withErrorRate(0.15));
    status = mesh.statusLog(RELEASE);
    killer = new WriteKiller(stack.client(), mesh, RELEASE, Mesh::canaryWeight);
    Duration interval = Duration.ofSeconds(3);
    mesh.apply(
        ReleasePlan.of(Duration.ofMinutes(5), 50, 100)
            .interval(interval)
            .window(interval.multipliedBy(2))
            .minRequests(50)
            .release(RELEASE, stack.prometheusUrl()));
    await("a passed analysis")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> status.analyses().stream().anyMatch(a -> a.getVerdict() == Verdict.Pass));

    BackendBehaviour healthy = mesh.behaviour(Mesh.CANARY);
    mesh.behaviour(
        Mesh.CANARY,
        new BackendBehaviour(
            0.45, healthy.errorStatus(), healthy.latencyMs(), healthy.latencySigma()));
    await("RolledBack")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .failFast("promoted", () -> phase() == Phase.Promoted)
        .until(() -> phase() == Phase.RolledBack);
    String reason = status.latest().getLastAnalysis().getReason();
    // several analysis intervals, across the restarts the rollback's writes caused
    await("the rollback holds")
        .during(Duration.ofSeconds(15))
        .atMost(Duration.ofSeconds(60))
        .until(() -> phase() == Phase.RolledBack && Mesh.canaryWeight(mesh.virtualService()) == 0);
    killer.disarm();

    System.out.printf("rollback: %d kills: %s%n", killer.kills().size(), killer.kills());
    assertThat(killer.kills())
        .extracting(WriteKiller.Kill::trigger)
        .contains("status RolledBack canary weight 0", "VirtualService canary weight 0");
    assertThat(killer.weights())
        .as("canary weights the VirtualService carried")
        .containsExactly(0, 50, 0);
    CanaryReleaseStatus last = status.latest();
    assertThat(Mesh.canaryWeight(mesh.virtualService())).isZero();
    assertThat(last.getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(last.getLastAnalysis().getVerdict()).isEqualTo(Verdict.Fail);
    assertThat(last.getLastAnalysis().getReason())
        .isEqualTo(reason)
        .contains("> 2.0x, and worse than the stable with 99% confidence");
    assertThat(last.getHistory())
        .filteredOn(h -> "RolledBack".equals(h.getReason()))
        .singleElement()
        .satisfies(h -> assertThat(h.getMessage()).contains(reason));
    assertThat(
            status.seen().stream()
                .dropWhile(s -> s.status().getPhase() != Phase.RolledBack)
                .toList())
        .as("statuses after the rollback")
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.status().getPhase()).isEqualTo(Phase.RolledBack);
              assertThat(s.status().getCanaryWeight()).isZero();
            });
    assertNoStepObservedAgain();
  }

  /** A restart never restarts a step: each step had one start (no inconclusive analysis here). */
  private void assertNoStepObservedAgain() {
    Map<Integer, List<String>> startsByStep =
        status.seen().stream()
            .map(StatusLog.Seen::status)
            .filter(s -> s.getPhase() == Phase.Progressing)
            .collect(
                Collectors.groupingBy(
                    CanaryReleaseStatus::getCurrentStep,
                    Collectors.mapping(
                        CanaryReleaseStatus::getStepStartedAt,
                        Collectors.collectingAndThen(
                            Collectors.toList(), l -> l.stream().distinct().toList()))));
    boolean inconclusive =
        status.analyses().stream().anyMatch(a -> a.getVerdict() == Verdict.Inconclusive);
    if (!inconclusive) {
      assertThat(startsByStep)
          .as("step starts by step")
          .allSatisfy((step, starts) -> assertThat(starts).hasSize(1));
    }
  }

  private Phase phase() {
    CanaryReleaseStatus latest = status.latest();
    return latest == null ? null : latest.getPhase();
  }
}
