package dev.canaryoperator.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The source checkout: its scripts find or build the binaries that tests and the sandbox run. Maven
 * may pass it as {@code canary.repository}; otherwise it is the nearest directory above the working
 * directory (a module's, under Maven; anywhere inside the checkout, from a shell) that looks like
 * one.
 */
public record RepositoryRoot(Path path) {

  public static RepositoryRoot locate() throws IOException {
    String configured = System.getProperty("canary.repository");
    if (configured != null && !configured.isBlank()) {
      return new RepositoryRoot(Path.of(configured).toAbsolutePath().normalize());
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/prometheus.sh"))
          && Files.isDirectory(dir.resolve("operator"))) {
        return new RepositoryRoot(dir);
      }
    }
    throw new IOException(
        "no canary-operator checkout (scripts/prometheus.sh, operator/) above "
            + Path.of("").toAbsolutePath()
            + "; set -Dcanary.repository");
  }

  public Path resolve(String relative) {
    return path.resolve(relative);
  }

  /** A script in {@code scripts/}. */
  public RepoScript script(String name) {
    return new RepoScript(path.resolve("scripts").resolve(name));
  }
}
