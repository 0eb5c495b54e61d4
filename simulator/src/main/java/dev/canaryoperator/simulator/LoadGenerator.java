package dev.canaryoperator.simulator;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends requests at a steady rate, each through the {@link WeightedRouter} and then as a real HTTP
 * call to the backend that plays the chosen destination, always on 127.0.0.1.
 *
 * <p>One pacing thread decides and routes, so with a fixed seed the sequence of routing decisions
 * is reproducible; the calls themselves run asynchronously, at most {@link #MAX_IN_FLIGHT} at a
 * time. When backends are too slow for the rate, requests are counted as dropped rather than
 * queued, so the generator never builds an unbounded backlog. All threads are daemons: the
 * generator stops with the process even if nobody calls {@link #close()}.
 */
public final class LoadGenerator implements AutoCloseable {

  static final int MAX_IN_FLIGHT = 256;
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_CATCH_UP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final WeightedRouter router;
  private final List<Backend> backends;
  private final TrafficStats stats;
  private final Random random;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private volatile LoadSettings settings;
  private volatile boolean running;
  private Thread pacer;
  private ExecutorService callbacks;
  private HttpClient client;

  public LoadGenerator(
      WeightedRouter router,
      List<Backend> backends,
      TrafficStats stats,
      LoadSettings settings,
      long seed) {
    this.router = Objects.requireNonNull(router);
    this.backends = List.copyOf(backends);
    this.stats = Objects.requireNonNull(stats);
    this.settings = Objects.requireNonNull(settings);
    this.random = new Random(seed);
  }

  public LoadSettings settings() {
    return settings;
  }

  public void settings(LoadSettings next) {
    settings = Objects.requireNonNull(next);
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    callbacks = Executors.newCachedThreadPool(new DaemonThreads("loadgen-http"));
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance with the JDK HttpServer
            .connectTimeout(Duration.ofSeconds(5))
            .executor(callbacks)
            .build();
    running = true;
    pacer = new DaemonThreads("loadgen-pacer").newThread(this::pace);
    pacer.start();
  }

  private void pace() {
    long next = System.nanoTime();
    while (running) {
      LoadSettings s = settings;
      if (s.ratePerSecond() <= 0) {
        LockSupport.parkNanos(IDLE_PARK_NANOS);
        next = System.nanoTime();
        continue;
      }
      next += (long) (1e9 / s.ratePerSecond());
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -MAX_CATCH_UP_NANOS) {
        next =
            System.nanoTime(); // after a stall (GC, busy CPU) resume the rate, don't fire a burst
      }
      if (running) {
        sendOne(s);
      }
    }
  }

  private void sendOne(LoadSettings s) {
    stats.generated();
    boolean canaryGroup =
        s.canaryGroupFraction() > 0 && random.nextDouble() < s.canaryGroupFraction();
    Map<String, String> headers = new HashMap<>();
    if (canaryGroup) {
      headers.put(s.canaryGroupHeader(), s.canaryGroupValue());
    }
    SimulatedRequest request = SimulatedRequest.get(s.path(), headers);
    RoutingDecision decision = router.route(request);
    if (decision instanceof RoutingDecision.Unrouted u) {
      stats.unrouted(u.reason());
      return;
    }
    RoutingDecision.Routed routed = (RoutingDecision.Routed) decision;
    stats.routed(routed.route());
    Backend backend = backendFor(routed.destination());
    if (backend == null) {
      stats.unknownDestination(routed.destination());
      return;
    }
    if (!inFlight.tryAcquire()) {
      stats.dropped();
      return;
    }
    HttpRequest.Builder http =
        HttpRequest.newBuilder(backend.uri().resolve(s.path()))
            .timeout(Duration.ofMillis((long) BackendBehaviour.MAX_LATENCY_MS + 10_000))
            .GET();
    request.headers().forEach(http::header);
    stats.sent(backend.name(), canaryGroup);
    client
        .sendAsync(http.build(), HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              inFlight.release();
              stats.answered(backend.name(), error == null ? response.statusCode() : 0);
            });
  }

  private Backend backendFor(Destination destination) {
    for (Backend b : backends) {
      if (b.destination().sameTarget(destination)) {
        return b;
      }
    }
    return null;
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return MAX_IN_FLIGHT - inFlight.availablePermits();
  }

  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    LockSupport.unpark(pacer);
    try {
      pacer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    callbacks.shutdownNow();
  }
}
