package dev.canaryoperator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.analysis.CredentialsException;
import dev.canaryoperator.analysis.KubernetesSecretCredentials;
import dev.canaryoperator.testing.Helm;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.TestCluster;
import dev.canaryoperator.testing.TestNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** helm lint, the values schema, and the switch that turns Secret access off. */
@RealKubernetes
class HelmChartIT {
  final Helm helm = Helm.fromBuild();

  @Test
  void lintPassesWithDefaultValues() {
    assertThat(helm.lint(Map.of())).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @Test
  void lintPassesWithEveryOptionOn() {
    assertThat(
            helm.lint(
                Map.of(
                    "watchNamespaces",
                    "{team-a,team-b}",
                    "replicas",
                    "3",
                    "serviceMonitor.enabled",
                    "true",
                    "rbac.readSecrets",
                    "false",
                    "podAnnotations.team",
                    "payments")))
        .contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @Test
  void operatingOptionsRenderTheDashboardConfigMapJsonLogsProbesAndTheNotificationSecret()
      throws Exception {
    String rendered =
        helm.template(
            "crel",
            "ops",
            Map.of(
                "grafanaDashboard.enabled", "true",
                "logFormat", "json",
                "notifications.secretName", "team-slack",
                "notifications.type", "Slack",
                "notifications.events", "{RolledBack,Promoted}"));

    assertThat(rendered)
        .contains("name: crel-canary-operator-dashboard")
        .contains("grafana_dashboard: \"1\"")
        .contains("\"uid\": \"canary-operator\"")
        .contains("name: LOG_FORMAT\n          value: \"json\"")
        .contains("path: /readyz")
        .contains("name: \"team-slack\"")
        .contains("name: NOTIFY_TYPE\n          value: \"Slack\"")
        .contains("value: \"RolledBack,Promoted\"");
    // the ConfigMap carries the dashboard exactly as dashboards/ has it
    String json =
        java.nio.file.Files.readString(java.nio.file.Path.of("../dashboards/canary-operator.json"));
    assertThat(rendered).contains(json.lines().skip(5).findFirst().orElseThrow().strip());
    assertThat(helm.template("crel", "ops", Map.of())).doesNotContain("-dashboard");
    assertThatThrownBy(() -> helm.template("crel", "ops", Map.of("logFormat", "xml")))
        .isInstanceOf(Helm.HelmException.class);
  }

  @Test
  void theSchemaRefusesAMistypedValueByName() {
    assertThatThrownBy(() -> helm.template("crel", "ops", Map.of("watchNamespace", "team-a")))
        .isInstanceOfSatisfying(
            Helm.HelmException.class,
            e -> assertThat(e.output()).contains("'watchNamespace' not allowed"));
    assertThatThrownBy(() -> helm.template("crel", "ops", Map.of("watchNamespaces", "{Team_A}")))
        .isInstanceOfSatisfying(
            Helm.HelmException.class, e -> assertThat(e.output()).contains("/watchNamespaces/0"));
  }

  @Test
  void withSecretAccessOffTheOperatorCannotReadCredentials(
      KubernetesClient admin, TestNamespace ns, TestCluster cluster) {
    RenderedRelease release =
        RenderedRelease.install(
            admin, RenderedRelease.releaseName(ns), ns.name(), Map.of("rbac.readSecrets", "false"));
    try (AppNamespace app = AppNamespace.create(cluster.adminConfig(), ns.name() + "-apps");
        KubernetesClient asOperator =
            new KubernetesClientBuilder()
                .withConfig(release.asServiceAccount(cluster.adminConfig()))
                .build()) {
      Forbidden.refused(
          "read Secrets with rbac.readSecrets=false",
          () -> asOperator.secrets().inNamespace(app.name()).withName(AppNamespace.SECRET).get());
      assertThatThrownBy(
              () ->
                  new KubernetesSecretCredentials(asOperator)
                      .resolve(app.name(), AppNamespace.SECRET))
          .isInstanceOf(CredentialsException.class)
          .hasMessageContaining("not allowed to read it (RBAC)");
    }
  }
}
