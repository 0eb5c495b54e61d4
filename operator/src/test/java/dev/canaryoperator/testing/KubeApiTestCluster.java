package dev.canaryoperator.testing;

import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.LocalKubeApiServer;
import io.fabric8.kubernetes.client.Config;

/**
 * etcd + kube-apiserver as local processes: the e2e stack's control plane, as a {@link
 * TestCluster}.
 */
public final class KubeApiTestCluster implements TestCluster {
  private final LocalKubeApiServer server;

  private KubeApiTestCluster(LocalKubeApiServer server) {
    this.server = server;
  }

  public static KubeApiTestCluster start(KubeApiServers servers) {
    return new KubeApiTestCluster(servers.start());
  }

  @Override
  public Config adminConfig() {
    return Config.fromKubeconfig(server.kubeconfigYaml());
  }

  @Override
  public String kubeconfigYaml() {
    return server.kubeconfigYaml();
  }

  @Override
  public String describe() {
    return "kube-apiserver " + server.version() + " with etcd (kube-api-test, offline)";
  }

  @Override
  public void close() {
    server.close();
  }
}
