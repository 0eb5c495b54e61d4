package dev.canaryoperator.e2e;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd + kube-apiserver as local processes (fabric8 kube-api-test in offline mode, from the
 * binaries scripts/control-plane-binaries.sh builds), with Istio's networking CRDs and the
 * CanaryRelease CRD installed. Configured in code: kube-api-test 7.5.2 throws a ClassCastException
 * for its boolean and integer KUBE_API_TEST_* environment variables.
 *
 * <p>There is no controller-manager: namespaces never finish deleting and nothing is garbage
 * collected, so callers use fresh names instead of cleaning up.
 */
public final class ControlPlane implements AutoCloseable {
  /** Both from the classpath: the operator jar carries its generated CRD, the build copies Istio's. */
  private static final List<String> CRDS = List.of(
      "/istio/networking-crds.yaml",
      "/META-INF/fabric8/canaryreleases.canaryoperator.dev-v1.yml");

  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final KubernetesClient client;
  private final Thread stopOnExit;
  private boolean stopped;

  private ControlPlane(KubeAPIServer server, Path kubeconfig, KubernetesClient client) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.client = client;
    this.stopOnExit = new Thread(this::stopServer, "stop-control-plane");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /**
   * @param binariesRoot where {@code k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}} live;
   *     certificates are written there too
   * @param workDir where the kubeconfig for child processes is written
   */
  public static ControlPlane start(String kubeVersion, Path binariesRoot, Path workDir) throws IOException {
    KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withOfflineMode(true)
        .withApiServerVersion(kubeVersion)
        .withTestDir(binariesRoot.toString())
        .withUpdateKubeConfig(false)
        .withStartupTimeout(120_000)
        .build());
    server.start();
    try {
      String yaml = server.getKubeConfigYaml();
      Path kubeconfig = workDir.resolve("kubeconfig.yaml");
      Files.writeString(kubeconfig, yaml);
      KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
      ControlPlane plane = new ControlPlane(server, kubeconfig, client);
      plane.installCrds();
      return plane;
    } catch (IOException | RuntimeException e) {
      server.stop();
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

  private void installCrds() {
    List<HasMetadata> crds = new ArrayList<>();
    for (String resource : CRDS) {
      crds.addAll(load(resource));
    }
    for (HasMetadata crd : crds) {
      client.resource(crd).serverSideApply();
    }
    for (HasMetadata crd : crds) {
      client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
          .waitUntilCondition(ControlPlane::established, 60, TimeUnit.SECONDS);
    }
  }

  private List<HasMetadata> load(String resource) {
    try (InputStream in = ControlPlane.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath (build the e2e module through Maven)");
      }
      return client.load(in).items();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private synchronized void stopServer() {
    if (!stopped) {
      stopped = true;
      server.stop();
    }
  }

  @Override
  public void close() {
    client.close();
    stopServer();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway; stopping twice is harmless
    }
  }
}
