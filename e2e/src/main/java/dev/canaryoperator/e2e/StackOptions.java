package dev.canaryoperator.e2e;

import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the stack finds its binaries and keeps its files.
 *
 * @param kubeApiServers the kube-apiserver version scripts/control-plane-binaries.sh built, and
 *     where
 * @param workDir where each stack makes a directory of its own for the kubeconfig, Prometheus' data
 *     and every process' log, kept after close so logs survive a failed test; null for a temporary
 *     directory deleted on close
 */
public record StackOptions(RepositoryRoot repository, KubeApiServers kubeApiServers, Path workDir) {

  /**
   * From the system properties Maven sets (kube.version, kube.api.test.dir, canary.stack.dir), else
   * defaults.
   */
  public static StackOptions fromSystemProperties() throws IOException {
    String dir = System.getProperty("canary.stack.dir");
    return new StackOptions(
        RepositoryRoot.locate(),
        KubeApiServers.fromSystemProperties(),
        dir == null || dir.isBlank() ? null : Path.of(dir));
  }
}
