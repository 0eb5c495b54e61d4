package dev.canaryoperator.simulator;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the command line asked for; see {@link CommandLine#USAGE}. */
public record SimulatorOptions(
    Path kubeconfig,
    String namespace,
    String virtualService,
    Path virtualServiceFile,
    List<Map.Entry<BackendSpec, BackendBehaviour>> backends,
    LoadSettings load,
    InetAddress address,
    int port,
    Long seed) {

  public SimulatorOptions {
    backends = List.copyOf(backends);
  }
}
