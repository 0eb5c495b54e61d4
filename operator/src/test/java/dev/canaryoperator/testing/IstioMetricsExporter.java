package dev.canaryoperator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongSupplier;

/**
 * Serves Istio's standard request metrics in Prometheus' text format, for traffic the test
 * describes: per destination, a steady request rate with a share of 5xx and one latency.
 *
 * <p>Counters are computed at scrape time from the time elapsed since {@link #serve} (rate x
 * seconds), so they grow continuously and rate()/increase() over any window see the configured
 * rate. They are not rounded to whole requests (the exposition format allows fractional counters):
 * errors and requests then grow in exact proportion, so the 5xx share in any window is the
 * configured one, not off by a request at either edge of the window. Each destination's series
 * exist from its first scrape, with both the 200 and the 503 series present, as increase() does not
 * count a series' first value.
 *
 * <p>Both proxies report, as in a mesh: reporter="destination" with the configured numbers and
 * reporter="source" with 50 ms more latency (the client side also waits on the network), so a query
 * that forgets the reporter gets visibly wrong numbers.
 *
 * <p>{@link #requestsTo} is the other kind of traffic: whole requests the test sends itself, each
 * with its own response code and latency, for tests that need to know exactly what was counted.
 */
public final class IstioMetricsExporter implements AutoCloseable {
  /** Istio's default buckets for istio_request_duration_milliseconds. */
  static final double[] BUCKETS = {
    1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
    3600000
  };

  private static final List<String> REPORTERS = List.of("destination", "source");

  /**
   * Requests to one destination workload.
   *
   * @param service the Kubernetes Service (destination_service_name)
   * @param version the workload's version label (destination_version), e.g. a subset name
   * @param errorShare the share of requests answered 503, 0..1
   */
  public record Traffic(
      String namespace,
      String service,
      String version,
      double requestsPerSecond,
      double errorShare,
      double latencyMs) {}

  private record Served(Traffic traffic, long startNanos) {}

  /** One request as both proxies count it: its response code and its latency at the destination. */
  public record Request(int code, double latencyMs) {}

  /**
   * Requests to one destination workload, sent by the test in batches. As in Istio, a series
   * appears with the first request it counts (the 503 series only with the first 503), and the
   * counters stay where they are, still exposed, when the test stops sending.
   */
  public static final class Requests {
    private final String namespace;
    private final String service;
    private final String version;

    /** The destination's latencies per response code, in the order sent. */
    private final Map<Integer, List<Double>> latencies = new TreeMap<>();

    private Requests(String namespace, String service, String version) {
      this.namespace = namespace;
      this.service = service;
      this.version = version;
    }

    /** Counts these requests at once: a scrape sees all of them or none. */
    public synchronized Requests send(List<Request> requests) {
      for (Request r : requests) {
        latencies.computeIfAbsent(r.code(), code -> new ArrayList<>()).add(r.latencyMs());
      }
      return this;
    }

    /** Every request sent so far. */
    public synchronized long count() {
      return latencies.values().stream().mapToLong(List::size).sum();
    }

    /** The requests answered 5xx. */
    public synchronized long errors() {
      return latencies.entrySet().stream()
          .filter(e -> e.getKey() / 100 == 5)
          .mapToLong(e -> e.getValue().size())
          .sum();
    }

    /** The sum of the latencies in ms, as the destination proxy reports it. */
    public synchronized double latencySumMs() {
      return latencies.values().stream()
          .flatMap(List::stream)
          .mapToDouble(Double::doubleValue)
          .sum();
    }

    private synchronized void appendTo(Exposition out) {
      latencies.forEach(
          (code, sent) -> {
            for (String reporter : REPORTERS) {
              double extra = networkMs(reporter);
              out.add(
                  labels(namespace, service, version, reporter, Integer.toString(code)),
                  sent.size(),
                  sent.stream().mapToDouble(l -> l + extra).sum(),
                  le -> sent.stream().filter(l -> l + extra <= le).count());
            }
          });
    }
  }

  private final HttpServer server;
  private final LongSupplier nanoTime;
  private final List<Served> served = new CopyOnWriteArrayList<>();
  private final List<Requests> sent = new CopyOnWriteArrayList<>();

  private IstioMetricsExporter(HttpServer server, LongSupplier nanoTime) {
    this.server = server;
    this.nanoTime = nanoTime;
  }

  /** On a free loopback port. */
  public static IstioMetricsExporter start() throws IOException {
    return start(System::nanoTime);
  }

  static IstioMetricsExporter start(LongSupplier nanoTime) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    IstioMetricsExporter exporter = new IstioMetricsExporter(server, nanoTime);
    server.createContext("/metrics", exporter::scrape);
    server.start();
    return exporter;
  }

  /** Starts counting this traffic now. */
  public IstioMetricsExporter serve(Traffic traffic) {
    served.add(new Served(traffic, nanoTime.getAsLong()));
    return this;
  }

  /**
   * A destination whose requests the test sends itself ({@link Requests#send}); nothing about it is
   * exposed before the first.
   */
  public Requests requestsTo(String namespace, String service, String version) {
    Requests requests = new Requests(namespace, service, version);
    sent.add(requests);
    return requests;
  }

  /** host:port, for a scrape config. */
  public String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void scrape(HttpExchange exchange) throws IOException {
    byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The text Prometheus gets now. */
  String exposition() {
    long now = nanoTime.getAsLong();
    Exposition out = new Exposition();
    for (Served s : served) {
      Traffic t = s.traffic();
      double seconds = (now - s.startNanos()) / 1e9;
      double total = t.requestsPerSecond() * seconds;
      double errors = t.requestsPerSecond() * t.errorShare() * seconds;
      for (String reporter : REPORTERS) {
        double latency = t.latencyMs() + networkMs(reporter);
        for (String code : List.of("200", "503")) {
          double count = code.equals("200") ? total - errors : errors;
          out.add(
              labels(t.namespace(), t.service(), t.version(), reporter, code),
              count,
              count * latency,
              le -> latency <= le ? count : 0);
        }
      }
    }
    for (Requests requests : sent) {
      requests.appendTo(out);
    }
    return out.text();
  }

  /** The source proxy also waits on the network. */
  private static double networkMs(String reporter) {
    return reporter.equals("source") ? 50 : 0;
  }

  /** The two metric families, one series (and its histogram) at a time. */
  private static final class Exposition {
    private final StringBuilder requests =
        new StringBuilder("# TYPE istio_requests_total counter\n");
    private final StringBuilder durations =
        new StringBuilder("# TYPE istio_request_duration_milliseconds histogram\n");

    /**
     * @param count the requests
     * @param sum their latencies' sum in ms
     * @param countAtOrBelow how many of them took at most the given ms
     */
    void add(
        Map<String, String> labels, double count, double sum, DoubleUnaryOperator countAtOrBelow) {
      sample(requests, "istio_requests_total", labels, count);
      for (double le : BUCKETS) {
        Map<String, String> bucket = new LinkedHashMap<>(labels);
        bucket.put("le", number(le));
        sample(
            durations,
            "istio_request_duration_milliseconds_bucket",
            bucket,
            countAtOrBelow.applyAsDouble(le));
      }
      Map<String, String> inf = new LinkedHashMap<>(labels);
      inf.put("le", "+Inf");
      sample(durations, "istio_request_duration_milliseconds_bucket", inf, count);
      sample(durations, "istio_request_duration_milliseconds_sum", labels, sum);
      sample(durations, "istio_request_duration_milliseconds_count", labels, count);
    }

    private static void sample(
        StringBuilder out, String name, Map<String, String> labels, double value) {
      out.append(name).append(render(labels)).append(' ').append(number(value)).append('\n');
    }

    String text() {
      return requests.toString() + durations;
    }
  }

  private static Map<String, String> labels(
      String namespace, String service, String version, String reporter, String code) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("reporter", reporter);
    labels.put("source_workload", "productpage-v1");
    labels.put("source_workload_namespace", namespace);
    labels.put("source_app", "productpage");
    labels.put("destination_service", service + "." + namespace + ".svc.cluster.local");
    labels.put("destination_service_name", service);
    labels.put("destination_service_namespace", namespace);
    labels.put("destination_workload", service + "-" + version);
    labels.put("destination_workload_namespace", namespace);
    labels.put("destination_app", service);
    labels.put("destination_version", version);
    labels.put("request_protocol", "http");
    labels.put("response_code", code);
    labels.put("response_flags", "-");
    labels.put(
        "connection_security_policy", reporter.equals("destination") ? "mutual_tls" : "unknown");
    return labels;
  }

  private static String render(Map<String, String> labels) {
    List<String> pairs = new ArrayList<>();
    labels.forEach(
        (name, value) ->
            pairs.add(
                name
                    + "=\""
                    + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    + "\""));
    return "{" + String.join(",", pairs) + "}";
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
