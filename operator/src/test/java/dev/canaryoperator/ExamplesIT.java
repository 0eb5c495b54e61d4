package dev.canaryoperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ applies to a real API server and gets its first step from the operator.
 */
@RealKubernetes
class ExamplesIT {
  static final Path EXAMPLES = Path.of(System.getProperty("examples.dir", "../examples"));

  static Stream<Path> examples() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .as("examples in %s", EXAMPLES.toAbsolutePath())
        .hasSizeGreaterThanOrEqualTo(4);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void appliesAndStartsItsRollout(Path example, KubernetesClient client) throws IOException {
    List<HasMetadata> objects;
    try (InputStream in = Files.newInputStream(example)) {
      objects = client.load(in).items();
    }
    for (HasMetadata object : objects) {
      client.resource(object).inNamespace(client.getNamespace()).create();
    }
    CanaryRelease release =
        objects.stream()
            .filter(o -> "CanaryRelease".equals(o.getKind()))
            .map(o -> client.getKubernetesSerialization().convertValue(o, CanaryRelease.class))
            .findFirst()
            .orElseThrow(() -> new AssertionError(example + " has no CanaryRelease"));
    String name = release.getMetadata().getName();
    int firstWeight = release.getSpec().getSteps().get(0).getWeight();

    try (RunningOperator operator = RunningOperator.start(client, new ScriptedAnalysis())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                CanaryRelease live = client.resources(CanaryRelease.class).withName(name).get();
                assertThat(live.getStatus()).isNotNull();
                assertThat(live.getStatus().getPhase()).isEqualTo(Phase.Progressing);
                assertThat(live.getStatus().getCanaryWeight()).isEqualTo(firstWeight);
              });
      // the status records a decision first, the VirtualService follows (docs/crash-safety.md)
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          virtualService(client, release).getSpec().getHttp().stream()
                              .flatMap(r -> r.getRoute().stream())
                              .filter(
                                  d ->
                                      d.getDestination()
                                          .getHost()
                                          .equals(release.getSpec().getCanary().getHost()))
                              .filter(
                                  d ->
                                      java.util.Objects.equals(
                                          d.getDestination().getSubset(),
                                          release.getSpec().getCanary().getSubset()))
                              .anyMatch(d -> d.getWeight() != null && d.getWeight() == firstWeight))
                      .as("the canary gets %d%% in the VirtualService", firstWeight)
                      .isTrue());
      VirtualService vs = virtualService(client, release);
      if (release.getSpec().getCanaryGroup() != null) {
        assertThat(vs.getSpec().getHttp())
            .anySatisfy(
                r -> assertThat(r.getName()).startsWith("canaryoperator-" + name + "-group"));
      }
    }
  }

  private static VirtualService virtualService(KubernetesClient client, CanaryRelease release) {
    return client
        .adapt(IstioClient.class)
        .v1()
        .virtualServices()
        .withName(release.getSpec().getVirtualService().getName())
        .get();
  }
}
