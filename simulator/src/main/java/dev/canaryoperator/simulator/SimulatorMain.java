package dev.canaryoperator.simulator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar canary-simulator-all.jar --namespace bookinfo --virtual-service reviews
 * --backend ...}.
 */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(String[] args) throws Exception {
    SimulatorOptions options;
    try {
      options = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println();
      System.err.print(CommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(CommandLine.USAGE);
      return;
    }

    KubernetesClient client = null;
    VirtualServiceSource source;
    if (options.virtualServiceFile() != null) {
      source = InMemoryVirtualServiceSource.fromYaml(options.virtualServiceFile());
    } else {
      Config config =
          options.kubeconfig() != null
              ? Config.fromKubeconfig(options.kubeconfig().toFile())
              : Config.autoConfigure(null);
      client = new KubernetesClientBuilder().withConfig(config).build();
      source =
          new KubernetesVirtualServiceSource(client, options.namespace(), options.virtualService());
    }

    MeshSimulator.Builder builder =
        MeshSimulator.builder()
            .namespace(options.namespace())
            .virtualServiceSource(source)
            .load(options.load())
            .adminAddress(options.address())
            .adminPort(options.port());
    options.backends().forEach(e -> builder.backend(e.getKey(), e.getValue()));
    if (options.seed() != null) {
      builder.seed(options.seed());
    }
    MeshSimulator simulator = builder.build();
    try {
      simulator.start();
    } catch (Exception e) {
      System.err.println("error: " + e.getMessage());
      if (client != null) {
        client.close();
      }
      System.exit(1);
      return;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    KubernetesClient c = client;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  if (c != null) {
                    c.close();
                  }
                  stopped.countDown();
                },
                "shutdown"));
    stopped
        .await(); // every simulator thread is a daemon: main keeps the process alive until a signal
  }
}
