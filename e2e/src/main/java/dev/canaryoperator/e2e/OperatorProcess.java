package dev.canaryoperator.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as production runs it: {@code java -jar canary-operator-<v>-all.jar} in a process of
 * its own, configured only through its environment (KUBECONFIG, WATCH_NAMESPACES, METRICS_PORT).
 * It can be killed the hard way and started again, as a node failure or an OOM kill would.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path jar;
  private final Path kubeconfig;
  private final String watchNamespaces;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Thread killOnExit;
  private Process process;
  private int metricsPort;
  private int starts;

  /**
   * @param log where the operator's output goes; every start appends to it
   */
  public OperatorProcess(Path jar, Path kubeconfig, String watchNamespaces, Path log) {
    this.jar = jar;
    this.kubeconfig = kubeconfig;
    this.watchNamespaces = watchNamespaces;
    this.log = log;
    this.killOnExit = new Thread(this::kill, "kill-operator");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Starts the process and waits until it serves /healthz; its informers start right after. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the operator is already running (pid " + process.pid() + ")");
    }
    metricsPort = LoopbackPort.free().number();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // small and quick to start: two cores are shared with the API server, Prometheus and the tests
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
    // e.g. -Dorg.slf4j.simpleLogger.log.io.javaoperatorsdk=debug to see why a rollout went wrong
    String extra = System.getProperty("canary.operator.javaOptions", "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("WATCH_NAMESPACES", watchNamespaces);
    env.put("METRICS_PORT", Integer.toString(metricsPort));
    env.remove("LEADER_ELECTION_NAMESPACE");
    process = builder.start();
    starts++;
    awaitHealthy();
  }

  /** SIGKILL: no shutdown hook, no clean informer stop, nothing written on the way out. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not exited after 10 s. */
  public synchronized void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      process = null;
    }
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("the operator is not running");
    }
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
    return log;
  }

  public String logTail() {
    return LogTail.of(log);
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/healthz"))
        .timeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("the operator exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("the operator did not serve /healthz within " + READY_TIMEOUT.toSeconds() + "s: " + logTail());
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
