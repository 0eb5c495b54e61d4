package dev.canaryoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD in crd/ is what users install: it must be exactly what the api classes generate. */
class CrdDriftTest {
  static final String FILE = "canaryreleases.canaryoperator.dev-v1.yml";

  @Test
  void committedCrdMatchesTheOneGeneratedFromTheApiClasses() throws IOException {
    Path generated = Path.of("target/classes/META-INF/fabric8", FILE);
    Path committed = Path.of(System.getProperty("crd.committed.dir", "../crd"), FILE);
    assertThat(generated).as("the CRD generator ran in process-classes").exists();
    assertThat(committed).as("crd/%s exists", FILE).exists();
    assertThat(Files.readString(committed))
        .as("crd/%s is out of date with the api classes: run ./mvnw -pl operator process-classes -Pupdate-crd and commit it", FILE)
        .isEqualTo(Files.readString(generated));
  }
}
