package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.LocalKubeApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reading the Secret through a real kube-apiserver (kube-api-test, offline, binaries from
 * control-plane-binaries.sh).
 */
class KubernetesSecretCredentialsIT {
  private static LocalKubeApiServer apiServer;
  private static KubernetesClient client;

  @BeforeAll
  static void startApiServer() {
    apiServer = KubeApiServers.fromSystemProperties().start();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(apiServer.kubeconfigYaml()))
            .build();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("bookinfo").endMetadata().build())
        .create();
    client
        .secrets()
        .inNamespace("bookinfo")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prometheus-auth")
                .endMetadata()
                .withStringData(Map.of("username", "canary", "password", "hunter2"))
                .build())
        .create();
    client
        .secrets()
        .inNamespace("bookinfo")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("half")
                .endMetadata()
                .withStringData(Map.of("username", "canary"))
                .build())
        .create();
  }

  @AfterAll
  static void stopApiServer() {
    if (client != null) {
      client.close();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void readsBasicCredentials() throws Exception {
    PrometheusCredentials credentials =
        new KubernetesSecretCredentials(client).resolve("bookinfo", "prometheus-auth");

    assertThat(credentials.username()).isEqualTo("canary");
    assertThat(credentials.password()).isEqualTo("hunter2");
  }

  @Test
  void aMissingSecretIsNamed() {
    assertThatThrownBy(() -> new KubernetesSecretCredentials(client).resolve("bookinfo", "absent"))
        .isInstanceOf(CredentialsException.class)
        .hasMessage("Secret bookinfo/absent (spec.analysis.prometheus.secretName) does not exist");
  }

  @Test
  void theSecretIsLookedUpInTheReleasesNamespaceOnly() {
    assertThatThrownBy(
            () -> new KubernetesSecretCredentials(client).resolve("default", "prometheus-auth"))
        .hasMessage(
            "Secret default/prometheus-auth (spec.analysis.prometheus.secretName) does not exist");
  }

  @Test
  void anAnalysisWithAnIncompleteSecretIsInconclusiveNamingIt() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.getAnalysis().getPrometheus().setSecretName("half");

    AnalysisResult result =
        new PrometheusAnalysis(client, Clock.systemUTC())
            .analyze(new AnalysisTarget("bookinfo", "reviews", spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .isEqualTo(
            "no Prometheus credentials: Secret bookinfo/half"
                + " (spec.analysis.prometheus.secretName) has 'username' but no 'password'");
  }
}
