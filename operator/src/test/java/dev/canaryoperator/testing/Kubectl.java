package dev.canaryoperator.testing;

import dev.canaryoperator.testsupport.KubeApiServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubectl built with the test API server (scripts/control-plane-binaries.sh), run against it
 * the way a person or a CI job would: a kubeconfig file, a namespace, arguments.
 */
public final class Kubectl {
  /** What a kubectl run printed and how it ended. */
  public record Result(int exit, String out, String err) {}

  private final Path binary;
  private final Path kubeconfig;
  private final String namespace;

  public Kubectl(TestCluster cluster, String namespace, Path workDir) throws IOException {
    KubeApiServers servers = KubeApiServers.fromSystemProperties();
    this.binary =
        servers
            .binariesDir()
            .resolve("k8s")
            .resolve(servers.version() + "-linux-amd64")
            .resolve("kubectl");
    Files.createDirectories(workDir);
    this.kubeconfig = workDir.resolve("kubeconfig-" + namespace);
    Files.writeString(kubeconfig, cluster.kubeconfigYaml());
    this.namespace = namespace;
  }

  /** Runs kubectl with the given arguments and stdin; the result, whatever the exit code. */
  public Result run(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "-n", namespace));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      Process process = builder.start();
      process
          .getOutputStream()
          .write(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
      }
      return new Result(process.exitValue(), out, err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running kubectl", e);
    }
  }

  /** Runs kubectl and fails unless it exits 0; its stdout. */
  public String ok(String stdin, String... args) {
    Result result = run(stdin, args);
    if (result.exit() != 0) {
      throw new AssertionError(
          "kubectl " + String.join(" ", args) + " exited " + result.exit() + ": " + result.err());
    }
    return result.out();
  }
}
