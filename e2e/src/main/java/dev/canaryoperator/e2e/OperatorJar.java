package dev.canaryoperator.e2e;

import dev.canaryoperator.testsupport.RepositoryRoot;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The jar production runs ({@code java -jar}), built by {@code ./mvnw -pl operator -am package}:
 * the e2e stack runs the operator as shipped, not its classes from this module's classpath.
 */
final class OperatorJar {
  private OperatorJar() {}

  /** {@code canary.operator.jar} when Maven sets it, else the one in operator/target. */
  static Path locate(RepositoryRoot repository) throws IOException {
    String configured = System.getProperty("canary.operator.jar");
    if (configured != null && !configured.isBlank()) {
      return existing(Path.of(configured));
    }
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(
            repository.resolve("operator/target"), "canary-operator-*-all.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    } catch (IOException noTarget) {
      // reported below
    }
    throw new IOException(
        "no operator/target/canary-operator-*-all.jar: run ./mvnw -B -pl operator -am package -DskipTests");
  }

  private static Path existing(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          jar + " does not exist: run ./mvnw -B -pl operator -am package -DskipTests");
    }
    return jar;
  }
}
