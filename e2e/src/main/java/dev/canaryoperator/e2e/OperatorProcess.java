package dev.canaryoperator.e2e;

import dev.canaryoperator.testsupport.LoopbackPort;
import dev.canaryoperator.testsupport.ManagedProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator as production runs it: {@code java -jar canary-operator-<v>-all.jar} in a process of
 * its own, configured only through its environment (KUBECONFIG, WATCH_NAMESPACES, METRICS_PORT). It
 * can be killed the hard way and started again, as a node failure or an OOM kill would.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path jar;
  private final Path kubeconfig;
  private final String watchNamespaces;
  private final ManagedProcess process;
  private int metricsPort;
  private int starts;
  private Map<String, String> environment = Map.of();

  /**
   * @param log where the operator's output goes; every start appends to it
   */
  public OperatorProcess(Path jar, Path kubeconfig, String watchNamespaces, Path log) {
    this.jar = jar;
    this.kubeconfig = kubeconfig;
    this.watchNamespaces = watchNamespaces;
    this.process = new ManagedProcess("the operator", log);
  }

  /** More environment for the next starts, e.g. LOG_FORMAT=json. */
  public synchronized OperatorProcess withEnvironment(Map<String, String> more) {
    this.environment = Map.copyOf(more);
    return this;
  }

  /** Starts the process and waits until it serves /healthz; its informers start right after. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process.running()) {
      throw new IllegalStateException(
          "the operator is already running (pid " + process.pid() + ")");
    }
    metricsPort = LoopbackPort.free().number();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: two cores are shared with the API server, Prometheus
                // and the tests
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
    // e.g. -Dorg.slf4j.simpleLogger.log.io.javaoperatorsdk=debug to see why a rollout went wrong
    String extra = System.getProperty("canary.operator.javaOptions", "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("WATCH_NAMESPACES", watchNamespaces);
    env.put("METRICS_PORT", Integer.toString(metricsPort));
    env.remove("LEADER_ELECTION_NAMESPACE");
    env.putAll(environment);
    process.start(builder);
    starts++;
    process.awaitHttpOk(URI.create("http://127.0.0.1:" + metricsPort + "/healthz"), READY_TIMEOUT);
  }

  /** SIGKILL: no shutdown hook, no clean informer stop, nothing written on the way out. */
  public void kill() {
    process.kill();
  }

  /** SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not exited after a grace period. */
  public void stop() throws InterruptedException {
    process.stop();
  }

  public boolean running() {
    return process.running();
  }

  public long pid() {
    return process.pid();
  }

  /** How often the process was started, restarts included. */
  public synchronized int starts() {
    return starts;
  }

  /** The operator's own Prometheus metrics endpoint. */
  public synchronized URI metricsUri() {
    return URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
  }

  public Path log() {
    return process.log();
  }

  public String logTail() {
    return process.logTail();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
