package dev.canaryoperator.reconciler;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.LiveReleases;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.Releases;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testing.VirtualServices.WeightRecorder;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The operator against a real API server, with a scripted analysis standing in for Prometheus. */
@RealKubernetes
class CanaryReleaseReconcilerIT {
  static final Duration ROLLOUT = Duration.ofSeconds(90);

  final ScriptedAnalysis analysis = new ScriptedAnalysis();

  static CanaryRelease fast(String name) {
    return release(name).stepDuration("2s").interval("1s").build();
  }

  static CanaryRelease get(KubernetesClient client, String name) {
    return LiveReleases.get(client, name);
  }

  static CanaryRelease awaitStatus(
      KubernetesClient client, String name, Predicate<CanaryRelease> condition) {
    return LiveReleases.awaitStatus(client, name, condition);
  }

  /** A request value bound to the release's current rollout and attempt. */
  static String requestFor(CanaryRelease r, String unique) {
    return r.getStatus().getRolloutId() + "." + r.getStatus().getAttempt() + "/" + unique;
  }

  /** Sets a request annotation the way kubectl annotate --overwrite does. */
  static void request(KubernetesClient client, String name, String annotation, String value) {
    client
        .resources(CanaryRelease.class)
        .withName(name)
        .edit(
            r -> {
              if (r.getMetadata().getAnnotations() == null) {
                r.getMetadata().setAnnotations(new java.util.HashMap<>());
              }
              r.getMetadata().getAnnotations().put(annotation, value);
              return r;
            });
  }

  static Condition condition(CanaryRelease r, String type) {
    return r.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  static VirtualService vs(KubernetesClient client) {
    return client.adapt(IstioClient.class).v1().virtualServices().withName("reviews").get();
  }

  static List<String> eventReasons(KubernetesClient client) {
    return client.v1().events().list().getItems().stream()
        .filter(e -> "CanaryRelease".equals(e.getInvolvedObject().getKind()))
        .sorted(java.util.Comparator.comparing(Event::getFirstTimestamp))
        .map(Event::getReason)
        .toList();
  }

  @Test
  void aHealthyCanaryWalksEveryStepToPromoted(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", "reviews-canary");
        RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(fast("reviews")).create();

      CanaryRelease done =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      // the status records a decision first, the VirtualService follows (docs/crash-safety.md)
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 100);

      assertThat(recorder.canaryWeights()).containsExactly(0, 5, 10, 25, 50, 100);
      assertThat(VirtualServices.weights(vs(client), 0)).containsExactly(0, 100);
      assertThat(done.getStatus().getCanaryWeight()).isEqualTo(100);
      assertThat(done.getStatus().getObservedGeneration())
          .isEqualTo(done.getMetadata().getGeneration());
      assertThat(condition(done, "Promoted").getStatus()).isEqualTo("True");
      assertThat(condition(done, "Ready").getStatus()).isEqualTo("True");
      assertThat(done.getStatus().getLastAnalysis().getVerdict()).isEqualTo(Verdict.Pass);
      assertThat(done.getStatus().getHistory())
          .extracting(h -> h.getReason())
          .containsExactly(
              "RolloutStarted",
              "StepAdvanced",
              "StepAdvanced",
              "StepAdvanced",
              "StepAdvanced",
              "Promoted");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(eventReasons(client))
                      .containsSubsequence("RolloutStarted", "StepAdvanced", "Promoted"));
    }
  }

  @Test
  void aFailingCanaryAtStepThreeIsRolledBackToZeroInOneWrite(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (WeightRecorder recorder = new WeightRecorder(client, "reviews", "reviews-canary");
        RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(release("reviews").stepDuration("3s").interval("1s").build()).create();
      awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 3);
      // the status records a step first, the VirtualService follows (docs/crash-safety.md)
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 25);
      int writesBefore = recorder.writes();
      analysis.answer(Verdict.Fail);

      CanaryRelease rolledBack =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 0);

      assertThat(recorder.canaryWeights()).containsExactly(0, 5, 10, 25, 0);
      assertThat(recorder.writes() - writesBefore)
          .as("one VirtualService write for the rollback")
          .isEqualTo(1);
      assertThat(VirtualServices.weights(vs(client), 0)).containsExactly(100, 0);
      assertThat(rolledBack.getStatus().getCanaryWeight()).isZero();
      assertThat(condition(rolledBack, "RolledBack").getStatus()).isEqualTo("True");
      assertThat(condition(rolledBack, "RolledBack").getMessage())
          .contains("4.2% > 2.0 x stable 1.1%");
      assertThat(rolledBack.getStatus().getLastAnalysis().getCanary().getErrorRate())
          .isEqualTo(0.042);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(eventReasons(client)).contains("RolledBack"));

      // Nothing moves after a rollback, however long it waits.
      int calls = analysis.calls();
      analysis.answer(Verdict.Pass);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> get(client, "reviews").getStatus().getPhase() == Phase.RolledBack);
      assertThat(analysis.calls()).isEqualTo(calls);
    }
  }

  @Test
  void aManualPromotionWaitsForTheAnnotation(KubernetesClient client) {
    VirtualServices.createReviews(client);
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client
          .resource(
              release("reviews")
                  .steps(50, 100)
                  .stepDuration("2s")
                  .interval("1s")
                  .manualPromotion()
                  .build())
          .create();

      CanaryRelease waiting =
          awaitStatus(
              client, "reviews", r -> Boolean.TRUE.equals(r.getStatus().getAwaitingPromotion()));
      assertThat(waiting.getStatus().getPhase()).isEqualTo(Phase.Paused);
      assertThat(waiting.getStatus().getMessage()).contains(CanaryRelease.PROMOTE_ANNOTATION);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> get(client, "reviews").getStatus().getPhase() == Phase.Paused);

      client
          .resources(CanaryRelease.class)
          .withName("reviews")
          .edit(
              r -> {
                r.getMetadata()
                    .getAnnotations()
                    .put(CanaryRelease.PROMOTE_ANNOTATION, requestFor(waiting, "sre-on-call"));
                return r;
              });
      CanaryRelease promoted =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      assertThat(condition(promoted, "Promoted").getStatus()).isEqualTo("True");
      assertThat(VirtualServices.weights(vs(client), 0)).containsExactly(0, 100);
    }
  }

  @Test
  void aNewOperatorContinuesAtTheSameStepWithTheSameStepStart(KubernetesClient client) {
    VirtualServices.createReviews(client);
    // The second step is long, so the new operator's first analyses land inside it.
    Releases reviews = release("reviews").stepDuration("2s").interval("1s");
    reviews.spec().getSteps().get(1).setDuration("20s");
    CanaryRelease atStepTwo;
    try (RunningOperator first = RunningOperator.start(client, analysis)) {
      client.resource(reviews.build()).create();
      atStepTwo = awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 2);
    }
    String stepStart = atStepTwo.getStatus().getStepStartedAt();
    String rolloutId = atStepTwo.getStatus().getRolloutId();
    Instant stopped = Instant.now();

    try (RunningOperator second = RunningOperator.start(client, analysis)) {
      CanaryRelease resumed =
          awaitStatus(
              client,
              "reviews",
              r ->
                  r.getStatus().getLastAnalysis() != null
                      && Instant.parse(r.getStatus().getLastAnalysis().getTime()).isAfter(stopped));
      assertThat(resumed.getStatus().getCurrentStep()).isEqualTo(2);
      assertThat(resumed.getStatus().getStepStartedAt()).isEqualTo(stepStart);
      assertThat(resumed.getStatus().getRolloutId()).isEqualTo(rolloutId);
      assertThat(resumed.getStatus().getHistory())
          .extracting(h -> h.getReason())
          .doesNotContain("NewRollout")
          .containsOnlyOnce("RolloutStarted");

      CanaryRelease stepThree =
          awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 3);
      assertThat(stepThree.getStatus().getHistory())
          .extracting(h -> h.getReason())
          .containsOnlyOnce("RolloutStarted");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") == 25);
    }
  }

  @Test
  void editsToFieldsTheOperatorDoesNotOwnSurviveItsWritesAndDriftIsCorrected(
      KubernetesClient client) {
    IstioClient istio = client.adapt(IstioClient.class);
    istio.v1().virtualServices().resource(VirtualServices.reviews()).create();
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(release("reviews").stepDuration("2s").interval("1s").build()).create();
      awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 1);

      istio
          .v1()
          .virtualServices()
          .withName("reviews")
          .edit(
              vs -> {
                vs.getMetadata().getAnnotations().put("owner", "payments-team");
                vs.getSpec().getHttp().get(0).setTimeout("42s");
                vs.getSpec().getHttp().get(0).getRetries().setAttempts(7);
                vs.getSpec().setGateways(List.of("mesh", "bookinfo-gateway"));
                return vs;
              });
      awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() >= 3);

      VirtualService after = vs(client);
      assertThat(after.getMetadata().getAnnotations())
          .containsEntry("owner", "payments-team")
          .containsEntry("team", "bookinfo");
      assertThat(after.getMetadata().getLabels()).containsEntry("app", "reviews");
      assertThat(after.getSpec().getHttp().get(0).getTimeout()).isEqualTo("42s");
      assertThat(after.getSpec().getHttp().get(0).getRetries().getAttempts()).isEqualTo(7);
      assertThat(after.getSpec().getGateways()).containsExactly("mesh", "bookinfo-gateway");

      // Someone gives the canary more by hand: drift, the operator writes its split again.
      // (Lowering it is taken as an abort: LifecycleIT.)
      istio
          .v1()
          .virtualServices()
          .withName("reviews")
          .edit(
              vs -> {
                vs.getSpec().getHttp().get(0).getRoute().get(0).setWeight(10);
                vs.getSpec().getHttp().get(0).getRoute().get(1).setWeight(90);
                return vs;
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> VirtualServices.canaryWeight(vs(client), "reviews-canary") < 90);
      assertThat(get(client, "reviews").getStatus().getPhase()).isEqualTo(Phase.Progressing);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(eventReasons(client)).contains("WeightsRestored"));
    }
  }

  @Test
  void aSlowAnalysisOfOneReleaseDoesNotHoldUpAnother(KubernetesClient client) throws Exception {
    IstioClient istio = client.adapt(IstioClient.class);
    istio.v1().virtualServices().resource(VirtualServices.reviews()).create();
    VirtualService ratings = VirtualServices.reviews();
    ratings.getMetadata().setName("ratings");
    ratings.getSpec().getHttp().get(0).getRoute().get(0).getDestination().setHost("ratings-stable");
    istio.v1().virtualServices().resource(ratings).create();
    java.util.concurrent.CountDownLatch prometheusAnswers =
        new java.util.concurrent.CountDownLatch(1);
    dev.canaryoperator.analysis.Analysis slowForRatings =
        target -> {
          if (target.name().equals("ratings")) {
            try {
              prometheusAnswers.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return analysis.analyze(target);
        };
    try (RunningOperator operator = RunningOperator.start(client, slowForRatings)) {
      client
          .resource(
              release("ratings")
                  .virtualService("ratings")
                  .stable("ratings-stable", null)
                  .canary("ratings-canary", null)
                  .stepDuration("2s")
                  .interval("1s")
                  .build())
          .create();
      client.resource(fast("reviews")).create();

      awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      CanaryRelease waiting = get(client, "ratings");
      assertThat(waiting.getStatus().getCurrentStep()).isEqualTo(1);
      assertThat(waiting.getStatus().getLastAnalysis()).isNull();

      prometheusAnswers.countDown();
      awaitStatus(client, "ratings", r -> r.getStatus().getCurrentStep() >= 2);
    }
  }

  @Test
  void aMissingVirtualServiceIsReportedAndTheReleaseStartsOnceItExists(KubernetesClient client) {
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(fast("reviews")).create();
      CanaryRelease pending =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Pending);
      assertThat(condition(pending, "Ready").getStatus()).isEqualTo("False");
      assertThat(condition(pending, "Ready").getReason()).isEqualTo("VirtualServiceNotFound");
      assertThat(condition(pending, "Ready").getMessage())
          .contains("reviews")
          .contains("not found");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(eventReasons(client)).contains("VirtualServiceNotFound"));

      VirtualServices.createReviews(client);
      CanaryRelease started =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Progressing);
      assertThat(condition(started, "Ready").getStatus()).isEqualTo("True");
    }
  }

  @Test
  void aVirtualServiceWithoutTheStableHostIsNeverWritten(KubernetesClient client) {
    IstioClient istio = client.adapt(IstioClient.class);
    VirtualService other = VirtualServices.reviews();
    other.getSpec().getHttp().get(0).getRoute().get(0).getDestination().setHost("ratings");
    String version =
        istio.v1().virtualServices().resource(other).create().getMetadata().getResourceVersion();
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      client.resource(fast("reviews")).create();
      CanaryRelease failed =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.Failed);
      assertThat(condition(failed, "Ready").getReason()).isEqualTo("NoStableRoute");
      assertThat(condition(failed, "Ready").getMessage()).contains("reviews-stable");
      assertThat(vs(client).getMetadata().getResourceVersion()).isEqualTo(version);
    }
  }
}
