package dev.canaryoperator.testsupport;

import io.fabric8.kubeapitest.KubeAPIServer;

/**
 * A running kube-apiserver with its etcd (see {@link KubeApiServers}). A shutdown hook stops both
 * if nobody closes this: kube-api-test registers none, and etcd and kube-apiserver otherwise keep
 * running after the JVM is gone (seen when JUnit did not close its root store).
 */
public final class LocalKubeApiServer implements AutoCloseable {
  private final KubeAPIServer server;
  private final String version;
  private final Thread stopOnExit;
  private String kubeconfigYaml;
  private boolean stopped;

  private LocalKubeApiServer(KubeAPIServer server, String version) {
    this.server = server;
    this.version = version;
    this.stopOnExit = new Thread(this::stop, "stop-kube-apiserver");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  static LocalKubeApiServer start(KubeAPIServer server, String version) {
    // the hook is in place before etcd starts: a start that fails or is cut short half way must not
    // leave etcd behind
    LocalKubeApiServer local = new LocalKubeApiServer(server, version);
    try {
      server.start();
      local.kubeconfigYaml = server.getKubeConfigYaml();
      return local;
    } catch (RuntimeException e) {
      local.close();
      throw e;
    }
  }

  /** Cluster-admin credentials (client certificate) for the API server on its loopback port. */
  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  public String version() {
    return version;
  }

  private synchronized void stop() {
    if (!stopped) {
      stopped = true;
      server.stop();
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway; it finds the server stopped
    }
  }
}
