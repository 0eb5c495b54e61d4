package dev.canaryoperator.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on loopback that plays one destination workload, with its sidecar: it answers
 * every request after a simulated latency, fails the configured fraction, and records each request
 * in Istio's metrics as the destination sidecar would (reporter="destination").
 *
 * <p>The metric is recorded just before the response is sent, so a caller that has its response can
 * already see it in {@code /metrics}; the few microseconds of writing are not worth the race.
 */
public final class Backend implements AutoCloseable {

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and
    // the client's delayed ACK add ~40 ms to every keep-alive response on loopback, which would be
    // latency no real service has. Read once, when the first HttpServer is created.
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private final BackendSpec spec;
  private final Destination destination;
  private final DestinationWorkload workload;
  private final SourceWorkload caller;
  private final IstioMetricsRegistry metrics;
  private final Ticker ticker;
  private final Random random;
  private final AtomicReference<BackendBehaviour> behaviour;
  private HttpServer server;
  private ExecutorService executor;

  public Backend(
      BackendSpec spec,
      String namespace,
      BackendBehaviour initial,
      SourceWorkload caller,
      IstioMetricsRegistry metrics,
      Ticker ticker,
      long seed) {
    this.spec = Objects.requireNonNull(spec);
    this.destination = spec.destination(namespace);
    this.workload = spec.workloadIn(namespace);
    this.caller = Objects.requireNonNull(caller);
    this.metrics = Objects.requireNonNull(metrics);
    this.ticker = Objects.requireNonNull(ticker);
    this.random = new Random(seed); // thread-safe, unlike SplittableRandom
    this.behaviour = new AtomicReference<>(Objects.requireNonNull(initial));
  }

  public synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // the default executor is a single thread: one slow request would hold up all others
    executor = Executors.newCachedThreadPool(new DaemonThreads("backend-" + spec.name()));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = ticker.nanoTime();
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
      BackendBehaviour b = behaviour.get();
      boolean fail = b.sampleError(random);
      long latency = b.sampleLatencyNanos(random);
      try {
        ticker.sleepNanos(latency);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // shutting down: answer at once
      }
      int status = fail ? b.errorStatus() : 200;
      long durationMs = (ticker.nanoTime() - start) / 1_000_000L;
      metrics.record(IstioRequestLabels.http(caller, workload, status), durationMs);
      byte[] body =
          (spec.name() + " " + workload.workload() + " " + status + "\n")
              .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set("x-simulator-backend", spec.name());
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  public BackendSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public Destination destination() {
    return destination;
  }

  public DestinationWorkload workload() {
    return workload;
  }

  public BackendBehaviour behaviour() {
    return behaviour.get();
  }

  public void behaviour(BackendBehaviour next) {
    behaviour.set(Objects.requireNonNull(next));
  }

  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("backend " + spec.name() + " is not started");
    }
    return server.getAddress().getPort();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + port() + "/");
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }
}
