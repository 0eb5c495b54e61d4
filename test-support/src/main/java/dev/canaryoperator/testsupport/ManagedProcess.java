package dev.canaryoperator.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A child process that must not outlive the JVM: a shutdown hook kills it if nobody stopped it (a
 * test run cut short, Ctrl-C in the sandbox). It can be stopped or killed and started again, as an
 * outage or a node failure would; every start appends its output, stderr included, to the same log
 * file, so a failed start can say why and a restart keeps one history.
 */
public final class ManagedProcess implements AutoCloseable {
  /**
   * Shorter than the 30 s Kubernetes grants a pod: these processes exit within a second or two, and
   * tests wait on them.
   */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String name;
  private final Path log;
  private final Thread killOnExit;
  private Process process;

  /**
   * @param name for error messages and the shutdown hook's thread
   * @param log appended to by every start
   */
  public ManagedProcess(String name, Path log) {
    this.name = name;
    this.log = log;
    this.killOnExit = new Thread(this::killQuickly, "kill-" + name.replace(' ', '-'));
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Starts {@code builder}'s command, stdin from /dev/null; fails if the previous start is still
   * running.
   */
  public synchronized void start(ProcessBuilder builder) throws IOException {
    if (running()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public String logTail() {
    return LogTail.of(log);
  }

  /**
   * Polls {@code probe} until it answers 200. Fails as soon as the process exits, with the end of
   * its log, so a bad flag or a taken port is reported at once rather than after the timeout.
   */
  public void awaitHttpOk(URI probe, Duration timeout) throws IOException, InterruptedException {
    Process started;
    synchronized (this) {
      started = process;
    }
    if (started == null) {
      throw new IllegalStateException(name + " is not running");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!started.isAlive()) {
        throw new IOException(name + " exited with " + started.exitValue() + ": " + logTail());
      }
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException(
        name
            + " did not answer 200 at "
            + probe
            + " within "
            + timeout.toSeconds()
            + "s: "
            + logTail());
  }

  /** SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not exited after {@link #STOP_GRACE}. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
    process = null;
  }

  /** SIGKILL: the process runs no shutdown hook of its own and writes nothing on the way out. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops the process; it may not be started again. */
  @Override
  public void close() throws InterruptedException {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and finds nothing to kill
    }
  }

  // no lock: the JVM is exiting, and a thread holding it (waiting out a stop) must not keep the
  // process alive
  private void killQuickly() {
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
    }
  }
}
