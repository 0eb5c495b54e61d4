package dev.canaryoperator.testing;

import io.fabric8.kubernetes.client.Config;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/** K3s in a container through Testcontainers, for machines with a Docker engine. */
final class K3sCluster implements TestCluster {
  static final String IMAGE = "rancher/k3s:v1.34.2-k3s1";
  private final K3sContainer container;

  private K3sCluster(K3sContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static K3sCluster start() {
    K3sContainer container = new K3sContainer(DockerImageName.parse(IMAGE));
    container.start();
    return new K3sCluster(container);
  }

  @Override
  public Config adminConfig() {
    return Config.fromKubeconfig(container.getKubeConfigYaml());
  }

  @Override
  public String kubeconfigYaml() {
    return container.getKubeConfigYaml();
  }

  @Override
  public String describe() {
    return "K3s " + IMAGE + " (Testcontainers)";
  }

  @Override
  public void close() {
    container.stop();
  }
}
