package dev.canaryoperator.e2e;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The source checkout the stack runs from: it holds the scripts that find or build the binaries and
 * the operator's runnable jar. Maven passes the paths as system properties; from a shell the
 * checkout is found above the working directory.
 */
public record Repository(Path root) {

  public static Repository locate() throws IOException {
    String configured = System.getProperty("canary.repository");
    if (configured != null && !configured.isBlank()) {
      return new Repository(Path.of(configured).toAbsolutePath().normalize());
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/prometheus.sh")) && Files.isDirectory(dir.resolve("operator"))) {
        return new Repository(dir);
      }
    }
    throw new IOException("no canary-operator checkout (scripts/prometheus.sh, operator/) above "
        + Path.of("").toAbsolutePath() + "; set -Dcanary.repository");
  }

  public Path script(String name) {
    return root.resolve("scripts").resolve(name);
  }

  /** The jar production runs ({@code java -jar}); built by {@code ./mvnw -pl operator -am package}. */
  public Path operatorJar() throws IOException {
    String configured = System.getProperty("canary.operator.jar");
    if (configured != null && !configured.isBlank()) {
      return existing(Path.of(configured));
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(root.resolve("operator/target"), "canary-operator-*-all.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    } catch (IOException noTarget) {
      // reported below
    }
    throw new IOException("no operator/target/canary-operator-*-all.jar: run ./mvnw -B -pl operator -am package -DskipTests");
  }

  private static Path existing(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " does not exist: run ./mvnw -B -pl operator -am package -DskipTests");
    }
    return jar;
  }
}
