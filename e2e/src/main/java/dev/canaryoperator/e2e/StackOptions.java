package dev.canaryoperator.e2e;

import java.nio.file.Path;

/**
 * Where the stack finds its binaries and keeps its files.
 *
 * @param kubeVersion the kube-apiserver version scripts/control-plane-binaries.sh built
 * @param binariesRoot kube-api-test's directory ({@code k8s/<version>-linux-amd64/...})
 * @param workDir where each stack makes a directory of its own for the kubeconfig, Prometheus'
 *     data and every process' log, kept after close so logs survive a failed test; null for a
 *     temporary directory deleted on close
 */
public record StackOptions(Repository repository, String kubeVersion, Path binariesRoot, Path workDir) {

  /** From the system properties Maven sets (kube.version, kube.api.test.dir, canary.stack.dir), else defaults. */
  public static StackOptions fromSystemProperties() throws java.io.IOException {
    String dir = System.getProperty("canary.stack.dir");
    return new StackOptions(Repository.locate(),
        System.getProperty("kube.version", "1.34.2"),
        Path.of(System.getProperty("kube.api.test.dir", System.getProperty("user.home") + "/.kubeapitest")),
        dir == null || dir.isBlank() ? null : Path.of(dir));
  }
}
