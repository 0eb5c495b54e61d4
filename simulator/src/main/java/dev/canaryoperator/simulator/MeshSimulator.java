package dev.canaryoperator.simulator;

import io.fabric8.istio.api.networking.v1.VirtualService;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh traffic simulator: Istio's data plane for one VirtualService, without a cluster. It
 * follows the VirtualService from a {@link VirtualServiceSource}, runs one loopback HTTP backend
 * per destination it plays, generates traffic routed by the live route table, and serves Istio's
 * standard metrics, its own counts and an admin API on one port.
 *
 * <pre>{@code
 * try (MeshSimulator sim = MeshSimulator.builder()
 *     .namespace("bookinfo")
 *     .virtualServiceSource(new InMemoryVirtualServiceSource(vs))
 *     .backend(BackendSpec.of("stable", "reviews", "v1"))
 *     .backend(BackendSpec.of("canary", "reviews", "v2"))
 *     .load(LoadSettings.DEFAULT.withRate(200))
 *     .build()
 *     .start()) {
 *   sim.backend("canary").behaviour(...);
 *   sim.stats();  // per-backend counts
 *   sim.adminUri().resolve("/metrics");  // for Prometheus
 * }
 * }</pre>
 */
public final class MeshSimulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MeshSimulator.class);

  private final String namespace;
  private final VirtualServiceSource source;
  private final Map<String, Backend> backends;
  private final IstioMetricsRegistry metrics;
  private final TrafficStats stats = new TrafficStats();
  private final WeightedRouter router;
  private final LoadGenerator load;
  private final AdminServer admin;
  private final AtomicLong virtualServiceUpdates = new AtomicLong();
  private boolean started;
  private boolean closed;

  private MeshSimulator(Builder b) {
    this.namespace = b.namespace;
    this.source = b.source;
    this.metrics = new IstioMetricsRegistry();
    this.router = new WeightedRouter(new java.util.Random(b.seed));
    Map<String, Backend> bs = new LinkedHashMap<>();
    int i = 0;
    for (var e : b.backends) {
      BackendSpec spec = e.getKey();
      for (Backend other : bs.values()) {
        if (other.destination().sameTarget(spec.destination(namespace))) {
          throw new IllegalArgumentException(
              "backends "
                  + other.name()
                  + " and "
                  + spec.name()
                  + " play the same destination "
                  + other.destination());
        }
      }
      if (bs.containsKey(spec.name())) {
        throw new IllegalArgumentException("two backends named " + spec.name());
      }
      bs.put(
          spec.name(),
          new Backend(
              spec,
              namespace,
              e.getValue(),
              b.sourceWorkload(),
              metrics,
              b.ticker,
              b.seed + 100 + i++));
    }
    this.backends = java.util.Collections.unmodifiableMap(bs);
    this.load = new LoadGenerator(router, List.copyOf(bs.values()), stats, b.load, b.seed + 1);
    this.admin = new AdminServer(this, b.adminAddress, b.adminPort);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts backends, the admin server, the VirtualService source and then the traffic, in that
   * order.
   */
  public synchronized MeshSimulator start() throws Exception {
    if (closed) {
      throw new IllegalStateException("a closed simulator cannot be restarted");
    }
    if (started) {
      return this;
    }
    started = true;
    try {
      for (Backend b : backends.values()) {
        b.start();
        log.info(
            "backend {} plays {} as workload {} (version {}) on {}",
            b.name(),
            b.destination(),
            b.workload().workload(),
            b.workload().version(),
            b.uri());
      }
      admin.start();
      source.start(this::onVirtualService);
      load.start();
      log.info(
          "simulating {} at {} requests/s; metrics on {}",
          source.describe(),
          load.settings().ratePerSecond(),
          adminUri().resolve("/metrics"));
      return this;
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private void onVirtualService(VirtualService vs) {
    RouteTable table = RouteTable.from(vs, namespace);
    router.install(table);
    virtualServiceUpdates.incrementAndGet();
    for (HttpRouteRule rule : table.routes()) {
      for (RequestMatch m : rule.matches()) {
        if (!m.unsupported().isEmpty()) {
          log.warn(
              "route {}: a match block uses {}, which the simulator cannot evaluate; it never matches",
              rule.name(),
              m.unsupported());
        }
      }
      for (WeightedDestination d : rule.destinations()) {
        if (backends.values().stream()
            .noneMatch(b -> b.destination().sameTarget(d.destination()))) {
          log.warn(
              "route {}: no backend plays {}; its share of traffic is counted as unknownDestinations",
              rule.name(),
              d.destination());
        }
      }
    }
  }

  public String namespace() {
    return namespace;
  }

  public int adminPort() {
    return admin.port();
  }

  /** Base address of the admin server: {@code /metrics}, {@code /stats}, {@code /admin/...}. */
  public URI adminUri() {
    return admin.uri();
  }

  public Backend backend(String name) {
    Backend b = backends.get(name);
    if (b == null) {
      throw new IllegalArgumentException(
          "no backend named " + name + " (have " + backends.keySet() + ")");
    }
    return b;
  }

  public List<Backend> backends() {
    return new ArrayList<>(backends.values());
  }

  public TrafficStats.Snapshot stats() {
    return stats.snapshot();
  }

  public void resetStats() {
    stats.reset();
  }

  public String scrapeMetrics() {
    return metrics.scrape();
  }

  public LoadSettings load() {
    return load.settings();
  }

  public void load(LoadSettings settings) {
    load.settings(settings);
  }

  /** Requests sent and not answered yet. */
  public int inFlight() {
    return load.inFlight();
  }

  public RouteTable routeTable() {
    return router.table();
  }

  /**
   * How many VirtualService states have been applied (including "absent"): lets tests wait for a
   * change.
   */
  public long virtualServiceUpdates() {
    return virtualServiceUpdates.get();
  }

  String describeSource() {
    return source.describe();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // traffic first, so nothing is sent to a backend that is already gone
    load.close();
    source.close();
    admin.close();
    backends.values().forEach(Backend::close);
  }

  public static final class Builder {
    private String namespace;
    private VirtualServiceSource source;
    private final List<Map.Entry<BackendSpec, BackendBehaviour>> backends = new ArrayList<>();
    private LoadSettings load = LoadSettings.DEFAULT;
    private InetAddress adminAddress = InetAddress.getLoopbackAddress();
    private int adminPort = 0;
    private long seed = ThreadLocalRandom.current().nextLong();
    private Ticker ticker = Ticker.SYSTEM;
    private SourceWorkload sourceWorkload;

    private Builder() {}

    /** The namespace of the VirtualService; short destination hosts resolve in it. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    public Builder virtualServiceSource(VirtualServiceSource source) {
      this.source = source;
      return this;
    }

    public Builder backend(BackendSpec spec) {
      return backend(spec, BackendBehaviour.HEALTHY);
    }

    public Builder backend(BackendSpec spec, BackendBehaviour behaviour) {
      backends.add(Map.entry(spec, behaviour));
      return this;
    }

    public Builder load(LoadSettings load) {
      this.load = Objects.requireNonNull(load);
      return this;
    }

    /**
     * Where {@code /metrics} and the admin API listen; loopback unless Prometheus runs elsewhere.
     */
    public Builder adminAddress(InetAddress address) {
      this.adminAddress = Objects.requireNonNull(address);
      return this;
    }

    /** 0 (the default) picks a free port; see {@link MeshSimulator#adminPort()}. */
    public Builder adminPort(int port) {
      this.adminPort = port;
      return this;
    }

    /** Fixes routing, canary-group and backend draws, for reproducible tests. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker);
      return this;
    }

    /** Who the metrics say the traffic comes from; default {@link SourceWorkload#loadGenerator}. */
    public Builder sourceWorkload(SourceWorkload source) {
      this.sourceWorkload = source;
      return this;
    }

    private SourceWorkload sourceWorkload() {
      return sourceWorkload != null ? sourceWorkload : SourceWorkload.loadGenerator(namespace);
    }

    public MeshSimulator build() {
      if (namespace == null || namespace.isBlank()) {
        throw new IllegalArgumentException("namespace is required");
      }
      if (source == null) {
        throw new IllegalArgumentException("a VirtualService source is required");
      }
      if (backends.isEmpty()) {
        throw new IllegalArgumentException("at least one backend is required");
      }
      return new MeshSimulator(this);
    }
  }
}
