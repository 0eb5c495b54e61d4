package dev.canaryoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crd/ is what users install with kubectl, the chart's copy what `helm install`
 * installs: both must be exactly what the api classes generate.
 */
class CrdDriftTest {
  static final String FILE = "canaryreleases.canaryoperator.dev-v1.yml";
  static final String FIX =
      "run ./mvnw -pl operator process-classes -Pupdate-crd and commit crd/ and helm/canary-operator/crds/";

  private static String generated() throws IOException {
    Path generated = Path.of("target/classes/META-INF/fabric8", FILE);
    assertThat(generated).as("the CRD generator ran in process-classes").exists();
    return Files.readString(generated);
  }

  @Test
  void committedCrdMatchesTheOneGeneratedFromTheApiClasses() throws IOException {
    Path committed = Path.of(System.getProperty("crd.committed.dir", "../crd"), FILE);
    assertThat(committed).as("crd/%s exists", FILE).exists();
    assertThat(Files.readString(committed))
        .as("crd/%s is out of date with the api classes: %s", FILE, FIX)
        .isEqualTo(generated());
  }

  @Test
  void theChartCarriesTheSameCrd() throws IOException {
    Path chart = Path.of(System.getProperty("crd.chart.dir", "../helm/canary-operator/crds"), FILE);
    assertThat(chart).as("helm/canary-operator/crds/%s exists (%s)", FILE, FIX).exists();
    assertThat(Files.readString(chart))
        .as(
            "helm/canary-operator/crds/%s differs from the CRD generated from the api classes: %s",
            FILE, FIX)
        .isEqualTo(generated());
  }
}
