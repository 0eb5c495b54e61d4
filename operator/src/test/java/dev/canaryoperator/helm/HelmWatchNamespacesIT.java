package dev.canaryoperator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.KubernetesSecretCredentials;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.TestCluster;
import dev.canaryoperator.testing.TestNamespace;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart with watchNamespaces and two replicas: Roles in the watched namespace only, and leader
 * election through a Lease in the release namespace.
 */
@RealKubernetes
class HelmWatchNamespacesIT {

  static Map<String, String> values(AppNamespace watched) {
    return Map.of("watchNamespaces", "{" + watched.name() + "}", "replicas", "2");
  }

  @Test
  void theOperatorDrivesACanaryInTheWatchedNamespaceAndHoldsTheLease(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) throws Exception {
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-apps")) {
      RenderedRelease release =
          RenderedRelease.install(admin, RenderedRelease.releaseName(ns), ns.name(), values(app));
      assertThat(release.names("ClusterRole"))
          .as("cluster-wide only the read of Istio's CRD")
          .containsExactly(RenderedRelease.fullName(ns) + "-istio-crd");
      assertThat(release.describe())
          .contains(
              "Role " + app.name() + "/" + RenderedRelease.fullName(ns),
              "Role " + ns.name() + "/" + RenderedRelease.fullName(ns) + "-leader-election");
      Config serviceAccount = release.asServiceAccount(cluster.adminConfig());

      RolloutUnderChartRbac.walksToPromoted(serviceAccount, app, Set.of(app.name()), ns.name());

      Lease lease = admin.leases().withName("canary-operator").get();
      assertThat(lease)
          .as("the Lease canary-operator in the release namespace %s", ns.name())
          .isNotNull();
      assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
      try (KubernetesClient asOperator =
          new KubernetesClientBuilder().withConfig(serviceAccount).build()) {
        assertThat(
                new KubernetesSecretCredentials(asOperator)
                    .resolve(app.name(), AppNamespace.SECRET)
                    .bearerToken())
            .isEqualTo("s3cr3t");
      }
    }
  }

  @Test
  void nothingOutsideTheWatchedNamespacesIsReachable(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) {
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-apps");
        AppNamespace other = AppNamespace.create(cluster.adminConfig(), ns.name() + "-other")) {
      RenderedRelease release =
          RenderedRelease.install(admin, RenderedRelease.releaseName(ns), ns.name(), values(app));
      try (KubernetesClient asOperator =
          new KubernetesClientBuilder()
              .withConfig(release.asServiceAccount(cluster.adminConfig()))
              .build()) {
        IstioClient istio = asOperator.adapt(IstioClient.class);
        // Allowed, so the refusals below are about the namespaces and not about a client that can
        // do nothing.
        assertThat(istio.v1().virtualServices().inNamespace(app.name()).withName("reviews").get())
            .isNotNull();

        Forbidden.refused(
            "read VirtualServices outside watchNamespaces",
            () -> istio.v1().virtualServices().inNamespace(other.name()).withName("reviews").get());
        Forbidden.refused(
            "watch CanaryReleases outside watchNamespaces",
            () -> asOperator.resources(CanaryRelease.class).inNamespace(other.name()).list());
        Forbidden.refused(
            "list CanaryReleases cluster-wide",
            () -> asOperator.resources(CanaryRelease.class).inAnyNamespace().list());
        Forbidden.refused(
            "read Secrets outside watchNamespaces",
            () ->
                asOperator.secrets().inNamespace(other.name()).withName(AppNamespace.SECRET).get());
        Forbidden.refused(
            "read Leases other than its own",
            () -> asOperator.leases().inNamespace(ns.name()).withName("someone-elses").get());
        Forbidden.refused(
            "take a Lease outside the release namespace",
            () -> asOperator.leases().inNamespace(app.name()).withName("canary-operator").get());
      }
    }
  }
}
