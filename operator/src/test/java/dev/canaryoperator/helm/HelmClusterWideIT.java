package dev.canaryoperator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.KubernetesSecretCredentials;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.Releases;
import dev.canaryoperator.testing.TestCluster;
import dev.canaryoperator.testing.TestNamespace;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testsupport.DeploymentController;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chart with default values: one operator for every namespace, cluster-wide RBAC. */
@RealKubernetes
class HelmClusterWideIT {

  @Test
  void theOperatorDrivesACanaryInAnotherNamespaceWithTheChartsRbac(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) throws Exception {
    RenderedRelease release =
        RenderedRelease.install(admin, RenderedRelease.releaseName(ns), ns.name(), Map.of());
    assertThat(release.names("ClusterRole"))
        .containsExactlyInAnyOrder(
            RenderedRelease.fullName(ns), RenderedRelease.fullName(ns) + "-istio-crd");
    assertThat(release.names("Role")).as("no namespaced Roles without watchNamespaces").isEmpty();
    Config serviceAccount = release.asServiceAccount(cluster.adminConfig());

    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-apps");
        KubernetesClient asOperator =
            new KubernetesClientBuilder().withConfig(serviceAccount).build()) {
      RolloutUnderChartRbac.walksToPromoted(serviceAccount, app, Set.of(), null);
      assertThat(
              new KubernetesSecretCredentials(asOperator)
                  .resolve(app.name(), AppNamespace.SECRET)
                  .bearerToken())
          .isEqualTo("s3cr3t");
    }
  }

  @Test
  void waitForStableFinalisesWithTheDefaultRbacAndCopyToStableWithRbacCopyToStable(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) {
    RenderedRelease byDefault =
        RenderedRelease.install(admin, RenderedRelease.releaseName(ns), ns.name(), Map.of());
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-wait")) {
      RolloutUnderChartRbac.finalises(
          byDefault.asServiceAccount(cluster.adminConfig()), app, FinalizeMode.WaitForStable);
    }
    RenderedRelease copying =
        RenderedRelease.install(
            admin,
            RenderedRelease.releaseName(ns) + "-copy",
            ns.name(),
            Map.of("rbac.copyToStable", "true"));
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-copy")) {
      RolloutUnderChartRbac.finalises(
          copying.asServiceAccount(cluster.adminConfig()), app, FinalizeMode.CopyToStable);
    }
  }

  @Test
  void theServiceAccountMayDoNothingTheOperatorDoesNotNeed(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) {
    RenderedRelease release =
        RenderedRelease.install(admin, RenderedRelease.releaseName(ns), ns.name(), Map.of());
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-apps");
        KubernetesClient asOperator =
            new KubernetesClientBuilder()
                .withConfig(release.asServiceAccount(cluster.adminConfig()))
                .build()) {
      var virtualServices =
          asOperator.adapt(IstioClient.class).v1().virtualServices().inNamespace(app.name());
      // Allowed, so the refusals below are about the rules and not about a client that can do
      // nothing.
      assertThat(virtualServices.withName("reviews").get()).isNotNull();

      Forbidden.refused(
          "delete VirtualServices", () -> virtualServices.withName("reviews").delete());
      Forbidden.refused(
          "create VirtualServices",
          () ->
              virtualServices
                  .resource(
                      VirtualServices.reviews()
                          .edit()
                          .editMetadata()
                          .withName("other")
                          .endMetadata()
                          .build())
                  .create());
      Forbidden.refused("list Secrets", () -> asOperator.secrets().inNamespace(app.name()).list());
      Forbidden.refused(
          "write Secrets",
          () ->
              asOperator
                  .secrets()
                  .inNamespace(app.name())
                  .resource(
                      new SecretBuilder()
                          .withNewMetadata()
                          .withName("planted")
                          .endMetadata()
                          .withStringData(Map.of("k", "v"))
                          .build())
                  .create());
      Forbidden.refused(
          "create CanaryReleases",
          () ->
              asOperator
                  .resources(CanaryRelease.class)
                  .inNamespace(app.name())
                  .resource(Releases.release("reviews").build())
                  .create());
      Forbidden.refused(
          "read other CRDs",
          () ->
              asOperator
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName("canaryreleases.canaryoperator.dev")
                  .get());
      Forbidden.refused(
          "list CRDs", () -> asOperator.resources(CustomResourceDefinition.class).list());
      new DeploymentController(app.admin(), app.name()).create("reviews-stable", "stable", "v1");
      var deployments = asOperator.apps().deployments().inNamespace(app.name());
      assertThat(deployments.list().getItems()).as("list Deployments: allowed").hasSize(1);
      Forbidden.refused(
          "patch Deployments without rbac.copyToStable",
          () ->
              deployments
                  .withName("reviews-stable")
                  .patch(
                      new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
                          .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE)
                          .build(),
                      "{\"spec\":{\"replicas\":0}}"));
      Forbidden.refused(
          "delete Deployments", () -> deployments.withName("reviews-stable").delete());
      Forbidden.refused(
          "delete CanaryReleases",
          () -> asOperator.resources(CanaryRelease.class).inNamespace(app.name()).delete());
      Forbidden.refused(
          "take a Lease without leader election",
          () -> asOperator.leases().inNamespace(ns.name()).withName("canary-operator").get());
    }
  }
}
