package dev.canaryoperator.helm;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices.WeightRecorder;
import dev.canaryoperator.testsupport.DeploymentController;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.Set;

/**
 * Runs the operator as the chart's ServiceAccount and walks a CanaryRelease through every step.
 * Each API call the operator makes shows in the outcome: informers (the release starts at all), the
 * VirtualService update (the recorded weights), the status patch (Promoted), the events.
 */
final class RolloutUnderChartRbac {
  private static final Duration ROLLOUT = Duration.ofSeconds(90);

  private RolloutUnderChartRbac() {}

  static void walksToPromoted(
      Config serviceAccount, AppNamespace app, Set<String> watched, String leaseNamespace) {
    try (WeightRecorder recorder = new WeightRecorder(app.admin(), "reviews", "reviews-canary");
        RunningOperator operator =
            RunningOperator.start(
                serviceAccount, new ScriptedAnalysis(), watched, leaseNamespace)) {
      app.admin()
          .resource(release("reviews").steps(10, 50, 100).stepDuration("1s").interval("1s").build())
          .create();

      await()
          .atMost(ROLLOUT)
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(phase(app))
                      .as(
                          "phase of %s/reviews, driven by an operator with the chart's RBAC only",
                          app.name())
                      .isEqualTo(Phase.Promoted));
      assertThat(recorder.canaryWeights()).containsExactly(0, 10, 50, 100);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(app.admin().v1().events().list().getItems())
                      .filteredOn(e -> "CanaryRelease".equals(e.getInvolvedObject().getKind()))
                      .extracting(Event::getReason)
                      .as("events the operator recorded")
                      .contains("RolloutStarted", "StepAdvanced", "Promoted"));

      // the finalizer: added when the release was first seen, removed on deletion
      app.admin().resources(CanaryRelease.class).withName("reviews").delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> app.admin().resources(CanaryRelease.class).withName("reviews").get() == null);
    }
  }

  /**
   * Runs a release with spec.finalize in the given mode through to Completed as the chart's
   * ServiceAccount; the test plays the Deployment controller (there is no controller-manager).
   */
  static void finalises(Config serviceAccount, AppNamespace app, FinalizeMode mode) {
    DeploymentController deployments = new DeploymentController(app.admin(), app.name());
    deployments.create("reviews-stable", "stable", "reviews:v1");
    deployments.create("reviews-canary", "canary", "reviews:v2");
    try (RunningOperator operator =
        RunningOperator.start(serviceAccount, new ScriptedAnalysis(), Set.of(), null)) {
      app.admin()
          .resource(
              release("reviews")
                  .steps(50, 100)
                  .stepDuration("1s")
                  .interval("1s")
                  .finalize(mode, "5m")
                  .build())
          .create();
      await()
          .atMost(ROLLOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> phase(app) == Phase.Finalising);
      if (mode == FinalizeMode.WaitForStable) {
        deployments.setImage("reviews-stable", "reviews:v2");
      } else {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> deployments.image("reviews-stable").equals("reviews:v2"));
      }
      deployments.rolledOut("reviews-stable");
      await()
          .atMost(ROLLOUT)
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(phase(app))
                      .as("phase under %s, driven with the chart's RBAC only", mode)
                      .isEqualTo(Phase.Completed));
    }
  }

  private static Phase phase(AppNamespace app) {
    CanaryRelease r = app.admin().resources(CanaryRelease.class).withName("reviews").get();
    return r == null || r.getStatus() == null ? null : r.getStatus().getPhase();
  }
}
