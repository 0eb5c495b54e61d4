package dev.canaryoperator.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The simulator's one HTTP port for people, tests and Prometheus.
 *
 * <pre>
 * GET  /metrics                  Istio's metrics, Prometheus text format
 * GET  /stats                    JSON: counts per backend and route, route table, settings
 * POST /admin/reset              zero the /stats counts (the Istio counters stay monotonic)
 * GET  /admin/backends           JSON: every backend's identity, port and behaviour
 * POST /admin/backends/{name}    change errorRate, errorStatus, latencyMs, latencySigma
 * GET  /admin/load               JSON: load settings
 * POST /admin/load               change rate, canaryGroupFraction, canaryGroupHeader, canaryGroupValue, path
 * GET  /healthz                  "ok"
 * </pre>
 *
 * Changes come as query parameters ({@code ?errorRate=0.03&latencyMs=120}) or as a JSON object
 * body; settings not named keep their value. A bad name or value is a 400 with the reason.
 */
final class AdminServer implements AutoCloseable {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final MeshSimulator simulator;
  private final InetAddress address;
  private final int requestedPort;
  private HttpServer server;
  private ExecutorService executor;

  AdminServer(MeshSimulator simulator, InetAddress address, int port) {
    this.simulator = simulator;
    this.address = address;
    this.requestedPort = port;
  }

  synchronized void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(address, requestedPort), 0);
    executor = Executors.newFixedThreadPool(2, new DaemonThreads("admin"));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("admin server is not started");
    }
    return server.getAddress().getPort();
  }

  URI uri() {
    String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      try {
        if (path.equals("/metrics") && method.equals("GET")) {
          send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", simulator.scrapeMetrics());
        } else if (path.equals("/stats") && method.equals("GET")) {
          sendJson(ex, 200, stats());
        } else if (path.equals("/healthz")) {
          send(ex, 200, "text/plain; charset=utf-8", "ok\n");
        } else if (path.equals("/admin/reset") && method.equals("POST")) {
          simulator.resetStats();
          sendJson(ex, 200, Map.of("reset", true));
        } else if (path.equals("/admin/backends") && method.equals("GET")) {
          sendJson(ex, 200, backends());
        } else if (path.startsWith("/admin/backends/")) {
          String name = path.substring("/admin/backends/".length());
          Backend backend =
              simulator.backends().stream()
                  .filter(b -> b.name().equals(name))
                  .findFirst()
                  .orElse(null);
          if (backend == null) {
            sendJson(ex, 404, Map.of("error", "no backend named " + name));
            return;
          }
          if (method.equals("POST")) {
            backend.behaviour(backend.behaviour().with(changes(ex)));
          }
          sendJson(ex, 200, describe(backend));
        } else if (path.equals("/admin/load")) {
          if (method.equals("POST")) {
            simulator.load(simulator.load().with(changes(ex)));
          }
          sendJson(ex, 200, simulator.load());
        } else {
          sendJson(ex, 404, Map.of("error", "no such endpoint: " + method + " " + path));
        }
      } catch (IllegalArgumentException e) {
        sendJson(ex, 400, Map.of("error", e.getMessage()));
      }
    }
  }

  private static Map<String, String> changes(HttpExchange ex) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    String query = ex.getRequestURI().getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("query parameter without value: " + pair);
        }
        out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    byte[] body = ex.getRequestBody().readAllBytes();
    if (body.length > 0 && !new String(body, StandardCharsets.UTF_8).isBlank()) {
      Map<?, ?> json;
      try {
        json = JSON.readValue(body, Map.class);
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        throw new IllegalArgumentException("body is not a JSON object: " + e.getOriginalMessage());
      }
      json.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private Map<String, Object> stats() {
    Map<String, Object> out = new LinkedHashMap<>();
    TrafficStats.Snapshot s = simulator.stats();
    out.put("generated", s.generated());
    out.put("sent", s.sent());
    out.put("dropped", s.dropped());
    out.put("backends", s.backends());
    out.put("routes", s.routes());
    out.put("unrouted", s.unrouted());
    out.put("unknownDestinations", s.unknownDestinations());
    out.put(
        "virtualService",
        Map.of(
            "source", simulator.describeSource(),
            "updates", simulator.virtualServiceUpdates(),
            "applied", routeTable(simulator.routeTable())));
    out.put("load", simulator.load());
    return out;
  }

  private static Map<String, Object> routeTable(RouteTable table) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", table.source());
    out.put("resourceVersion", table.resourceVersion());
    List<Map<String, Object>> routes = new ArrayList<>();
    for (HttpRouteRule rule : table.routes()) {
      List<Map<String, Object>> dests = new ArrayList<>();
      for (WeightedDestination d : rule.destinations()) {
        dests.add(Map.of("destination", d.destination().toString(), "weight", d.weight()));
      }
      routes.add(Map.of("name", rule.name(), "matchBlocks", rule.matches().size(), "route", dests));
    }
    out.put("http", routes);
    return out;
  }

  private Map<String, Object> backends() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Backend b : simulator.backends()) {
      out.put(b.name(), describe(b));
    }
    return out;
  }

  private static Map<String, Object> describe(Backend b) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", b.name());
    out.put("destination", b.destination().toString());
    out.put("workload", b.workload().workload());
    out.put("version", b.workload().version());
    out.put("app", b.workload().app());
    out.put("port", b.port());
    out.put("behaviour", b.behaviour());
    return out;
  }

  private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", JSON.writeValueAsString(body) + "\n");
  }

  private static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
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
