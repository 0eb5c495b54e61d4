package dev.canaryoperator.e2e;

import dev.canaryoperator.testsupport.Crds;
import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.LocalKubeApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * etcd + kube-apiserver as local processes, with Istio's networking CRDs and the CanaryRelease CRD
 * installed.
 *
 * <p>There is no controller-manager: namespaces never finish deleting and nothing is garbage
 * collected, so callers use fresh names instead of cleaning up.
 */
public final class ControlPlane implements AutoCloseable {
  /**
   * Both from the classpath: the operator jar carries its generated CRD, the build copies Istio's.
   */
  private static final List<String> CRDS =
      List.of(
          "/istio/networking-crds.yaml",
          "/META-INF/fabric8/canaryreleases.canaryoperator.dev-v1.yml");

  private final LocalKubeApiServer server;
  private final Path kubeconfig;
  private final KubernetesClient client;

  private ControlPlane(LocalKubeApiServer server, Path kubeconfig, KubernetesClient client) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.client = client;
  }

  /**
   * @param workDir where the kubeconfig for child processes is written
   */
  public static ControlPlane start(KubeApiServers servers, Path workDir) throws IOException {
    LocalKubeApiServer server = servers.start();
    try {
      String yaml = server.kubeconfigYaml();
      Path kubeconfig = workDir.resolve("kubeconfig.yaml");
      Files.writeString(kubeconfig, yaml);
      KubernetesClient client =
          new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      ControlPlane plane = new ControlPlane(server, kubeconfig, client);
      Crds.install(client, CRDS);
      return plane;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Cluster-admin client; namespace unset. */
  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig file for child processes (KUBECONFIG) and for kubectl. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
