package dev.canaryoperator.testing;

import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.RepositoryRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The helm CLI that scripts/helm.sh builds (Maven runs it in pre-integration-test and passes its
 * path as helm.binary), run as a child process against the chart in helm/canary-operator.
 */
public final class Helm {
  private static final long TIMEOUT_SECONDS = 120;

  private final Path binary;
  private final Path chart;
  private final Path home;

  private Helm(Path binary, Path chart, Path home) {
    this.binary = binary;
    this.chart = chart;
    this.home = home;
  }

  /** The pinned helm and the repository's chart; fails with what to run when helm is missing. */
  public static Helm fromBuild() {
    String configured = System.getProperty("helm.binary");
    if (configured == null) {
      throw new IllegalStateException(
          "system property helm.binary is not set: run the chart tests through Maven (./mvnw -pl operator verify)");
    }
    Path binary = Path.of(configured);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "helm is not at "
              + binary
              + ": run scripts/helm.sh (Maven runs it in pre-integration-test"
              + " unless -DskipITs) or point -Dhelm.binary at a helm "
              + System.getProperty("helm.version", "v3")
              + " binary");
    }
    Path chart = chartDir();
    if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
      throw new IllegalStateException(
          "no Chart.yaml in " + chart.toAbsolutePath() + " (helm.chart.dir)");
    }
    return new Helm(binary, chart, Path.of("target", "helm-home").toAbsolutePath());
  }

  private static Path chartDir() {
    String configured = System.getProperty("helm.chart.dir");
    if (configured != null) {
      return Path.of(configured);
    }
    try {
      return RepositoryRoot.locate().resolve("helm/canary-operator");
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage() + " (or set helm.chart.dir)", e);
    }
  }

  /** `helm lint --strict` with the given --set values; the output, or an exception carrying it. */
  public String lint(Map<String, String> values) {
    List<String> args = new ArrayList<>(List.of("lint", "--strict", chart.toString()));
    values.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    return run(args);
  }

  /** `helm template` with the chart's CRDs, for the given release, namespace and --set values. */
  public String template(String release, String namespace, Map<String, String> values) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "template",
                release,
                chart.toString(),
                "--namespace",
                namespace,
                "--include-crds",
                "--kube-version",
                KubeApiServers.fromSystemProperties().version()));
    values.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    return run(args);
  }

  private String run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(args);
    try {
      Files.createDirectories(home);
      Path out = Files.createTempFile(home, "helm", ".out");
      Path err = Files.createTempFile(home, "helm", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      // helm keeps caches and config under $HOME by default; keep the test's out of the user's.
      builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      Files.delete(out);
      Files.delete(err);
      if (process.exitValue() != 0) {
        throw new HelmException(String.join(" ", command), process.exitValue(), stdout + stderr);
      }
      return stdout;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary, e);
    }
  }

  /** helm exited with an error; the message holds its output. */
  public static final class HelmException extends RuntimeException {
    private final String output;

    HelmException(String command, int exitCode, String output) {
      super(command + " exited with " + exitCode + ":\n" + output);
      this.output = output;
    }

    public String output() {
      return output;
    }
  }
}
