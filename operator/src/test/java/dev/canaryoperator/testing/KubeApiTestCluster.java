package dev.canaryoperator.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Path;

/**
 * etcd + kube-apiserver as local processes (fabric8 kube-api-test in offline mode), from the
 * binaries that scripts/control-plane-binaries.sh builds from Go modules. Configured in code, not
 * by environment variables: kube-api-test 7.5.2 casts those to Boolean/Integer and throws.
 */
public final class KubeApiTestCluster implements TestCluster {
  private final KubeAPIServer server;
  private final String version;
  private final String kubeconfig;

  private KubeApiTestCluster(KubeAPIServer server, String version) {
    this.server = server;
    this.version = version;
    this.kubeconfig = server.getKubeConfigYaml();
  }

  public static KubeApiTestCluster start(String kubeVersion, Path binariesRoot) {
    KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withOfflineMode(true)
        .withApiServerVersion(kubeVersion)
        .withTestDir(binariesRoot.toString())
        .withUpdateKubeConfig(false)
        .withStartupTimeout(120_000)
        .build());
    server.start();
    return new KubeApiTestCluster(server, kubeVersion);
  }

  @Override
  public Config adminConfig() {
    return Config.fromKubeconfig(kubeconfig);
  }

  @Override
  public String kubeconfigYaml() {
    return kubeconfig;
  }

  @Override
  public String describe() {
    return "kube-apiserver " + version + " with etcd (kube-api-test, offline)";
  }

  @Override
  public void close() {
    server.stop();
  }
}
