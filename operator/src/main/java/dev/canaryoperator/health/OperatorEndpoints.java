package dev.canaryoperator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** The operator's HTTP port: /metrics (Prometheus text), /healthz and /readyz. */
public final class OperatorEndpoints implements AutoCloseable {
  private final HttpServer server;

  private OperatorEndpoints(HttpServer server) {
    this.server = server;
  }

  /**
   * @param port 0 for any free port
   */
  public static OperatorEndpoints start(int port, PrometheusMeterRegistry registry, Probes probes)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/healthz", exchange -> answer(exchange, probes::liveness));
    server.createContext("/readyz", exchange -> answer(exchange, probes::readiness));
    // a scrape or a probe must not wait behind another
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return new OperatorEndpoints(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, Supplier<Probes.Answer> probe)
      throws IOException {
    Probes.Answer answer = probe.get();
    respond(exchange, answer.status(), "text/plain; charset=utf-8", answer.body() + "\n");
  }

  private static void respond(HttpExchange exchange, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
