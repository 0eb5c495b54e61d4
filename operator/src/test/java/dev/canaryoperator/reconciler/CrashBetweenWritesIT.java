package dev.canaryoperator.reconciler;

import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.awaitStatus;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.condition;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.eventReasons;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.get;
import static dev.canaryoperator.reconciler.CanaryReleaseReconcilerIT.vs;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.HaltAtWrite;
import dev.canaryoperator.testing.HaltAtWrite.Point;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.StatusRecorder;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testing.VirtualServices.WeightRecorder;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator stopped dead between its two writes at every kind of transition, then a fresh
 * operator on the same API server: nothing the first one decided is undone or done twice.
 *
 * <p>The first operator's HTTP client holds the VirtualService write of the chosen transition just
 * before it is sent (the status already records the decision) or just after it landed, then fails
 * every request from there on, as a process killed at that instant would. The second operator's
 * analysis always passes: a rollback that survives did so on the status alone.
 */
@RealKubernetes
class CrashBetweenWritesIT {
  private static final String CANARY = "reviews-canary";
  private static final String FAILURE = "canary 5xx rate 4.2% > 2.0 x stable 1.1%";

  /** The transitions, by the canary weight their VirtualService write carries. */
  enum Transition {
    START(5),
    ADVANCE(25),
    PROMOTION(100),
    ROLLBACK(0);

    final int weight;

    Transition(int weight) {
      this.weight = weight;
    }
  }

  static Stream<Arguments> crashes() {
    List<Arguments> all = new ArrayList<>();
    for (Transition t : Transition.values()) {
      for (Point p : Point.values()) {
        all.add(Arguments.of(t, p));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, killed {1} the VirtualService write")
  @MethodSource("crashes")
  void aDecisionOnceMadeIsNeitherUndoneNorRepeated(
      Transition transition, Point point, KubernetesClient client) throws Exception {
    VirtualServices.createReviews(client);
    // no 100% step: promotion is then a write of its own
    CanaryRelease release =
        release("reviews").steps(5, 10, 25, 50).stepDuration("3s").interval("1s").build();
    ScriptedAnalysis firstAnalysis = new ScriptedAnalysis();
    HaltAtWrite halt =
        new HaltAtWrite(
            point,
            r ->
                "PUT".equals(r.method())
                    && r.path().endsWith("/virtualservices/reviews")
                    && canaryWeight(client, r.body()) == transition.weight);

    try (WeightRecorder weights = new WeightRecorder(client, "reviews", CANARY);
        StatusRecorder statuses = new StatusRecorder(client, "reviews")) {
      CanaryReleaseStatus atDeath;
      try (RunningOperator first = RunningOperator.start(client, firstAnalysis, halt)) {
        client.resource(release).create();
        if (transition == Transition.ROLLBACK) {
          awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 3);
          firstAnalysis.answer(Verdict.Fail);
        }
        halt.awaitHalt(Duration.ofSeconds(60));
        atDeath = get(client, "reviews").getStatus();
        int inVirtualService = VirtualServices.canaryWeight(vs(client), CANARY);
        // the decision is in the status before its VirtualService write is even sent
        assertThat(atDeath.getCanaryWeight()).as("status at the halt").isEqualTo(transition.weight);
        assertThat(inVirtualService)
            .as("VirtualService at the halt")
            .isEqualTo(point == Point.AFTER ? transition.weight : previousWeight(transition));
        halt.kill();
      }

      ScriptedAnalysis secondAnalysis = new ScriptedAnalysis();
      try (RunningOperator second = RunningOperator.start(client, secondAnalysis)) {
        await("the split of the decision in the VirtualService")
            .atMost(Duration.ofSeconds(30))
            .until(() -> VirtualServices.canaryWeight(vs(client), CANARY) == transition.weight);
        switch (transition) {
          case START, ADVANCE -> {
            awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
            // the status is written first: the VirtualService follows it
            await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> VirtualServices.canaryWeight(vs(client), CANARY) == 100);
          }
          case PROMOTION ->
              await()
                  .during(Duration.ofSeconds(3))
                  .atMost(Duration.ofSeconds(5))
                  .until(
                      () ->
                          get(client, "reviews").getStatus().getPhase() == Phase.Promoted
                              && VirtualServices.canaryWeight(vs(client), CANARY) == 100);
          case ROLLBACK -> {
            await()
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(
                    () ->
                        get(client, "reviews").getStatus().getPhase() == Phase.RolledBack
                            && VirtualServices.canaryWeight(vs(client), CANARY) == 0);
            assertThat(secondAnalysis.calls()).as("analyses after the rollback").isZero();
          }
        }
      }

      List<Integer> split = weights.canaryWeights();
      if (transition == Transition.ROLLBACK) {
        assertThat(split)
            .as("canary weights in the VirtualService")
            .containsExactly(0, 5, 10, 25, 0);
      } else {
        assertThat(split)
            .as("canary weights in the VirtualService")
            .isSorted()
            .doesNotHaveDuplicates();
        assertThat(split).containsSubsequence(0, 5, 10, 25, 50, 100);
      }

      CanaryRelease end = get(client, "reviews");
      List<HistoryEntry> history = end.getStatus().getHistory();
      assertThat(history)
          .extracting(h -> h.getReason() + "@" + h.getStep())
          .as("history")
          .doesNotHaveDuplicates();
      // the step under way at the halt kept its start: it was not observed again from the restart
      assertThat(statuses.seen())
          .filteredOn(
              s ->
                  s.getCurrentStep().equals(atDeath.getCurrentStep())
                      && s.getPhase() == atDeath.getPhase()
                      && s.getRolloutId().equals(atDeath.getRolloutId()))
          .extracting(CanaryReleaseStatus::getStepStartedAt)
          .containsOnly(atDeath.getStepStartedAt());

      List<String> events = eventReasons(client);
      for (String reason : List.of("RolloutStarted", "StepAdvanced", "Promoted", "RolledBack")) {
        long recorded = history.stream().filter(h -> reason.equals(h.getReason())).count();
        assertThat(Collections.frequency(events, reason))
            .as("%s events (history: %s)", reason, history)
            .isEqualTo((int) recorded);
      }
      assertThat(events).doesNotContain("WeightsRestored");
      if (point == Point.BEFORE) {
        assertThat(events).contains("InterruptedWriteCompleted");
      }

      if (transition == Transition.ROLLBACK) {
        assertThat(end.getStatus().getCanaryWeight()).isZero();
        assertThat(condition(end, "RolledBack").getMessage()).contains(FAILURE);
        assertThat(end.getStatus().getLastAnalysis().getVerdict()).isEqualTo(Verdict.Fail);
        assertThat(end.getStatus().getLastAnalysis().getCanary().getErrorRate()).isEqualTo(0.042);
        assertThat(history)
            .filteredOn(h -> "RolledBack".equals(h.getReason()))
            .singleElement()
            .satisfies(h -> assertThat(h.getMessage()).contains(FAILURE));
      } else {
        assertThat(end.getStatus().getPhase()).isEqualTo(Phase.Promoted);
        assertThat(history).extracting(HistoryEntry::getReason).doesNotContain("RolledBack");
      }
    }
  }

  private static int previousWeight(Transition transition) {
    return switch (transition) {
      case START -> 0;
      case ADVANCE -> 10;
      case PROMOTION -> 50;
      case ROLLBACK -> 25;
    };
  }

  private static int canaryWeight(KubernetesClient client, String body) {
    if (body == null || body.isEmpty()) {
      return -1;
    }
    VirtualService written =
        client.getKubernetesSerialization().unmarshal(body, VirtualService.class);
    return VirtualServices.canaryWeight(written, CANARY);
  }
}
