package dev.canaryoperator.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Istio's destination-side metrics for many services without simulating a single request: every
 * counter is a steady rate times the time since start, so a scrape costs one formatted line per
 * series. Both sides of every release have the same error rate and latency (healthy canaries).
 */
final class SyntheticExporter implements AutoCloseable {
  private static final double[] BOUNDS = {5, 10, 25, 50, 100, 250, 500};

  /** The share of requests at or under each bound; the rest is over the last one. */
  private static final double[] SHARE_UNDER = {0.05, 0.2, 0.55, 0.8, 0.95, 0.99, 0.999};

  private static final double MEAN_MS = 40;
  private static final double ERROR_SHARE = 0.01;

  private final String namespace;
  private final List<String> services;
  private final double requestsPerSecond;
  private final long startedNanos = System.nanoTime();
  private final HttpServer server;

  /**
   * @param services every service name that receives traffic (destination_service_name)
   * @param requestsPerSecond each service's rate
   */
  SyntheticExporter(String namespace, List<String> services, double requestsPerSecond)
      throws IOException {
    this.namespace = namespace;
    this.services = List.copyOf(services);
    this.requestsPerSecond = requestsPerSecond;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = render().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.start();
  }

  /** host:port for a scrape config. */
  String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private String render() {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    long requests = (long) (requestsPerSecond * seconds);
    long errors = (long) (requests * ERROR_SHARE);
    StringBuilder out = new StringBuilder(services.size() * 1200);
    for (String service : services) {
      String labels =
          "reporter=\"destination\",destination_service_namespace=\""
              + namespace
              + "\",destination_service_name=\""
              + service
              + "\"";
      line(out, "istio_requests_total", labels + ",response_code=\"200\"", requests - errors);
      line(out, "istio_requests_total", labels + ",response_code=\"503\"", errors);
      for (int i = 0; i < BOUNDS.length; i++) {
        line(
            out,
            "istio_request_duration_milliseconds_bucket",
            labels + ",le=\"" + (long) BOUNDS[i] + "\"",
            (long) (requests * SHARE_UNDER[i]));
      }
      line(out, "istio_request_duration_milliseconds_bucket", labels + ",le=\"+Inf\"", requests);
      line(out, "istio_request_duration_milliseconds_sum", labels, (long) (requests * MEAN_MS));
      line(out, "istio_request_duration_milliseconds_count", labels, requests);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String name, String labels, long value) {
    out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
