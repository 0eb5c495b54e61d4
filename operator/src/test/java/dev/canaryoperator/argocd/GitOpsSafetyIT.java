package dev.canaryoperator.argocd;

import static dev.canaryoperator.testing.LiveReleases.awaitStatus;
import static dev.canaryoperator.testing.LiveReleases.get;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.testing.ArgoCd;
import dev.canaryoperator.testing.Kubectl;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.TestCluster;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testsupport.RepositoryRoot;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Git holds is applied again and again (a sync, a replayed pipeline): a request made from Argo
 * CD (or kubectl) keeps its effect, acts once, and Git and the live object do not differ.
 */
@RealKubernetes
class GitOpsSafetyIT {
  static ArgoCd argoCd;
  final ScriptedAnalysis analysis = new ScriptedAnalysis();

  @BeforeAll
  static void harness() throws Exception {
    argoCd = ArgoCd.fromBuild();
  }

  /** The release as its owners keep it in Git: a spec, no annotations, no status. */
  static String gitRelease(KubernetesClient client) {
    return asGit(
        client, release("reviews").steps(10, 50, 100).stepDuration("5m").interval("1s").build());
  }

  static String asGit(KubernetesClient client, CanaryRelease inGit) {
    inGit.setApiVersion("canaryoperator.dev/v1alpha1");
    inGit.setKind("CanaryRelease");
    inGit.setStatus(null);
    return client.getKubernetesSerialization().asYaml(inGit);
  }

  /** Argo CD's sync (server-side apply, its field manager, forced) and a client-side apply. */
  static void applyGitTwice(Kubectl kubectl, String manifest) {
    kubectl.ok(manifest, "apply", "-f", "-");
    argoCdApplies(kubectl, manifest);
  }

  static void assertNothingHappensAgain(KubernetesClient client, CanaryReleaseStatus before) {
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(
            () -> {
              CanaryReleaseStatus now = get(client, "reviews").getStatus();
              return now.getPhase() == before.getPhase()
                  && now.getAttempt().equals(before.getAttempt())
                  && now.getHistory().size() == before.getHistory().size();
            });
  }

  @Test
  void gitAppliedAgainAfterEachActionChangesNothing(KubernetesClient client, TestCluster cluster)
      throws Exception {
    VirtualServices.createReviews(client);
    Kubectl kubectl =
        new Kubectl(cluster, client.getNamespace(), Path.of("target", "kubectl-home"));
    String git = gitRelease(client);
    kubectl.ok(git, "apply", "-f", "-");
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      CanaryRelease progressing =
          awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 1);

      for (String action : new String[] {"abort", "retry", "promote-full"}) {
        CanaryRelease live = get(client, "reviews");
        Phase expected =
            switch (action) {
              case "abort" -> Phase.RolledBack;
              case "retry" -> Phase.Progressing;
              default -> Phase.Promoted;
            };
        int attempt = live.getStatus().getAttempt();
        actThenSyncTwice(
            client,
            kubectl,
            git,
            action,
            r ->
                r.getStatus().getPhase() == expected
                    && (!action.equals("retry") || r.getStatus().getAttempt() == attempt + 1));
        assertThat(get(client, "reviews").getMetadata().getAnnotations())
            .as("the request %s survives the re-apply", action)
            .containsKey("canaryoperator.dev/" + action);
      }
      assertThat(progressing.getStatus().getAttempt()).isEqualTo(1);
      assertThat(get(client, "reviews").getStatus().getAttempt()).isEqualTo(2);
    }
  }

  /**
   * The action made from Argo CD, then Git applied twice (client-side and as Argo CD's sync): the
   * action's effect stays, nothing happens twice, and kubectl diff against Git is empty.
   */
  static void actThenSyncTwice(
      KubernetesClient client,
      Kubectl kubectl,
      String git,
      String action,
      Predicate<CanaryRelease> acted) {
    argoCd.act(client, get(client, "reviews"), action);
    CanaryRelease after = awaitStatus(client, "reviews", acted);
    applyGitTwice(kubectl, git);
    assertNothingHappensAgain(client, after.getStatus());
    assertGitAgreesWith(kubectl, git);
  }

  /** Git and the live object do not differ (kubectl diff). */
  static void assertGitAgreesWith(Kubectl kubectl, String git) {
    Kubectl.Result diff = kubectl.run(git, "diff", "-f", "-");
    assertThat(diff.exit()).as("kubectl diff against Git: %s%s", diff.out(), diff.err()).isZero();
    assertThat(diff.out()).isEmpty();
  }

  @Test
  void pauseResumeAndPromoteFromArgoCdSurviveGitAppliedAgain(
      KubernetesClient client, TestCluster cluster) throws Exception {
    VirtualServices.createReviews(client);
    Kubectl kubectl =
        new Kubectl(cluster, client.getNamespace(), Path.of("target", "kubectl-home"));
    String git =
        asGit(
            client,
            release("reviews")
                .steps(50, 100)
                .stepDuration("2s")
                .interval("1s")
                .manualPromotion()
                .build());
    kubectl.ok(git, "apply", "-f", "-");
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      awaitStatus(client, "reviews", r -> r.getStatus().getCurrentStep() == 1);

      actThenSyncTwice(
          client, kubectl, git, "pause", r -> r.getStatus().getPhase() == Phase.Paused);
      assertThat(get(client, "reviews").getSpec().getPaused())
          .as("Git does not own spec.paused: the pause made from Argo CD stays")
          .isTrue();

      actThenSyncTwice(
          client,
          kubectl,
          git,
          "resume",
          r -> Boolean.TRUE.equals(r.getStatus().getAwaitingPromotion()));
      assertThat(get(client, "reviews").getSpec().getPaused()).isFalse();

      actThenSyncTwice(
          client, kubectl, git, "promote", r -> r.getStatus().getPhase() == Phase.Promoted);
      assertThat(get(client, "reviews").getMetadata().getAnnotations())
          .as("the promote request survives the re-apply, acknowledged once")
          .containsKey("canaryoperator.dev/promote");
      assertThat(
              get(client, "reviews").getStatus().getHistory().stream()
                  .filter(h -> h.getPhase() == Phase.Promoted)
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void theExampleIgnoreDifferencesHideTheSplitAndNothingElse(KubernetesClient client)
      throws Exception {
    VirtualService inGit = VirtualServices.reviews();
    client.adapt(IstioClient.class).v1().virtualServices().resource(inGit).create();
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      releaseAtTenPercent(client);

      Path dir = Files.createDirectories(Path.of("target", "argocd-diff", client.getNamespace()));
      Path live = write(client, dir.resolve("live.yaml"), liveVs(client));
      Path git = write(client, dir.resolve("git.yaml"), inGit);
      Path application = RepositoryRoot.locate().resolve("examples/argocd/application.yaml");
      assertThat(argoCd.synced(application, git, live))
          .as("the operator's split under the example's ignoreDifferences")
          .isTrue();

      Path bare = dir.resolve("application-without-ignores.yaml");
      Files.writeString(
          bare,
          "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: reviews}\n"
              + "spec: {project: default}\n");
      assertThat(argoCd.synced(bare, git, live)).as("without ignoreDifferences").isFalse();

      VirtualService changed = VirtualServices.reviews();
      changed.getSpec().getHttp().get(0).setTimeout("42s");
      Path gitChanged = write(client, dir.resolve("git-changed.yaml"), changed);
      assertThat(argoCd.synced(application, gitChanged, live))
          .as("a legitimate route change in Git still shows")
          .isFalse();
    }
  }

  /** Argo CD's sync of one manifest: server-side apply, its field manager, forced. */
  static void argoCdApplies(Kubectl kubectl, String manifest) {
    kubectl.ok(
        manifest,
        "apply",
        "--server-side",
        "--field-manager=argocd-controller",
        "--force-conflicts",
        "-f",
        "-");
  }

  @Test
  void aSyncWithTheExampleApplicationMidRolloutLeavesTheSplitAndTheReleaseAlone(
      KubernetesClient client, TestCluster cluster) throws Exception {
    Kubectl kubectl =
        new Kubectl(cluster, client.getNamespace(), Path.of("target", "kubectl-home"));
    VirtualService inGit = VirtualServices.reviews();
    argoCdApplies(kubectl, client.getKubernetesSerialization().asYaml(inGit));
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      releaseAtTenPercent(client);
      VirtualService split = liveVs(client);
      CanaryReleaseStatus before = get(client, "reviews").getStatus();

      // Git changes the route's timeout, inside the http array, and the exportTo, outside it
      VirtualService changed = VirtualServices.reviews();
      changed.getSpec().getHttp().get(0).setTimeout("42s");
      changed.getSpec().setExportTo(List.of("."));
      Path dir = Files.createDirectories(Path.of("target", "argocd-sync", client.getNamespace()));
      Path git = write(client, dir.resolve("git.yaml"), changed);
      Path live = write(client, dir.resolve("live.yaml"), split);
      Path application = RepositoryRoot.locate().resolve("examples/argocd/application.yaml");
      String applied = argoCd.syncTarget(application, git, live);
      argoCdApplies(kubectl, applied);

      VirtualService synced = liveVs(client);
      assertThat(synced.getSpec().getExportTo())
          .as("Git outside the split is applied")
          .contains(".");
      assertThat(synced.getSpec().getHttp())
          .as(
              "the split, the canary headers and the canary-group route stay as the operator set them")
          .isEqualTo(split.getSpec().getHttp());
      assertThat(synced.getSpec().getHttp())
          .filteredOn(route -> "primary".equals(route.getName()))
          .singleElement()
          .extracting(route -> route.getTimeout())
          .as("the caveat: the http array is taken from live whole while a release runs")
          .isEqualTo("10s");
      assertNothingHappensAgain(client, before);
      assertThat(VirtualServices.canaryWeight(liveVs(client), "reviews-canary")).isEqualTo(10);
      assertThat(client.v1().events().list().getItems())
          .extracting(Event::getReason)
          .doesNotContain("RolledBack", "Aborted");
    }
  }

  /**
   * A release that changes the routes in all three ways the example ignores (weights, canary
   * headers, a canary-group route), at its first step with an analysis passed.
   */
  private static void releaseAtTenPercent(KubernetesClient client) {
    client
        .resource(
            release("reviews")
                .steps(10, 50, 100)
                .stepDuration("5m")
                .interval("1s")
                .canaryGroupHeader("x-canary", "true")
                .canaryHeader("x-track", "canary")
                .build())
        .create();
    awaitStatus(client, "reviews", r -> r.getStatus().getStepAnalysesPassed() >= 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> VirtualServices.canaryWeight(liveVs(client), "reviews-canary") == 10);
  }

  private static VirtualService liveVs(KubernetesClient client) {
    return client.adapt(IstioClient.class).v1().virtualServices().withName("reviews").get();
  }

  private static Path write(KubernetesClient client, Path file, VirtualService vs)
      throws java.io.IOException {
    return Files.writeString(file, client.getKubernetesSerialization().asYaml(vs));
  }

  @Test
  void aSyncOfTheGitVirtualServiceWithoutIgnoreDifferencesAbortsSafelyAndSaysWhy(
      KubernetesClient client, TestCluster cluster) throws Exception {
    Kubectl kubectl =
        new Kubectl(cluster, client.getNamespace(), Path.of("target", "kubectl-home"));
    String gitVirtualService =
        client.getKubernetesSerialization().asYaml(VirtualServices.reviews());
    kubectl.ok(gitVirtualService, "apply", "-f", "-");
    kubectl.ok(gitRelease(client), "apply", "-f", "-");
    try (RunningOperator operator = RunningOperator.start(client, analysis)) {
      awaitStatus(client, "reviews", r -> r.getStatus().getStepAnalysesPassed() >= 1);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  VirtualServices.canaryWeight(
                          client
                              .adapt(io.fabric8.istio.client.IstioClient.class)
                              .v1()
                              .virtualServices()
                              .withName("reviews")
                              .get(),
                          "reviews-canary")
                      == 10);

      // Argo CD syncs the VirtualService from Git (100% stable) with no ignoreDifferences
      argoCdApplies(kubectl, gitVirtualService);

      CanaryRelease rolledBack =
          awaitStatus(client, "reviews", r -> r.getStatus().getPhase() == Phase.RolledBack);
      assertThat(rolledBack.getStatus().getReason()).isEqualTo("CanaryWeightLowered");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(client.v1().events().list().getItems())
                      .filteredOn(e -> "RolledBack".equals(e.getReason()))
                      .singleElement()
                      .extracting(Event::getMessage)
                      .asString()
                      .contains("argocd-controller", "GitOps with Argo CD"));
    }
  }
}
