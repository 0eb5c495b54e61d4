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
import java.util.concurrent.CopyOnWriteArrayList;
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
 */
public final class IstioMetricsExporter implements AutoCloseable {
  /** Istio's default buckets for istio_request_duration_milliseconds. */
  static final double[] BUCKETS = {
    1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
    3600000
  };

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

  private final HttpServer server;
  private final LongSupplier nanoTime;
  private final List<Served> served = new CopyOnWriteArrayList<>();

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
    StringBuilder requests = new StringBuilder("# TYPE istio_requests_total counter\n");
    StringBuilder durations =
        new StringBuilder("# TYPE istio_request_duration_milliseconds histogram\n");
    for (Served s : served) {
      Traffic t = s.traffic();
      double seconds = (now - s.startNanos()) / 1e9;
      double total = t.requestsPerSecond() * seconds;
      double errors = t.requestsPerSecond() * t.errorShare() * seconds;
      for (String reporter : List.of("destination", "source")) {
        double latency = t.latencyMs() + (reporter.equals("source") ? 50 : 0);
        for (String code : List.of("200", "503")) {
          double count = code.equals("200") ? total - errors : errors;
          Map<String, String> labels = labels(t, reporter, code);
          requests
              .append("istio_requests_total")
              .append(render(labels))
              .append(' ')
              .append(number(count))
              .append('\n');
          for (double le : BUCKETS) {
            Map<String, String> bucket = new LinkedHashMap<>(labels);
            bucket.put("le", number(le));
            durations
                .append("istio_request_duration_milliseconds_bucket")
                .append(render(bucket))
                .append(' ')
                .append(number(latency <= le ? count : 0))
                .append('\n');
          }
          Map<String, String> inf = new LinkedHashMap<>(labels);
          inf.put("le", "+Inf");
          durations
              .append("istio_request_duration_milliseconds_bucket")
              .append(render(inf))
              .append(' ')
              .append(number(count))
              .append('\n');
          durations
              .append("istio_request_duration_milliseconds_sum")
              .append(render(labels))
              .append(' ')
              .append(number(count * latency))
              .append('\n');
          durations
              .append("istio_request_duration_milliseconds_count")
              .append(render(labels))
              .append(' ')
              .append(number(count))
              .append('\n');
        }
      }
    }
    return requests.append(durations).toString();
  }

  private static Map<String, String> labels(Traffic t, String reporter, String code) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("reporter", reporter);
    labels.put("source_workload", "productpage-v1");
    labels.put("source_workload_namespace", t.namespace());
    labels.put("source_app", "productpage");
    labels.put("destination_service", t.service() + "." + t.namespace() + ".svc.cluster.local");
    labels.put("destination_service_name", t.service());
    labels.put("destination_service_namespace", t.namespace());
    labels.put("destination_workload", t.service() + "-" + t.version());
    labels.put("destination_workload_namespace", t.namespace());
    labels.put("destination_app", t.service());
    labels.put("destination_version", t.version());
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
