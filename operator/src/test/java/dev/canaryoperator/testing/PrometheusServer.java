package dev.canaryoperator.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus server for tests: the binary from scripts/prometheus.sh, on a free loopback
 * port, with its own temporary storage and a config that scrapes the given targets every second
 * (job "istio"). Close it to stop the process and delete its files.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final int PORT_ATTEMPTS = 3;

  private final Process process;
  private final Path dir;
  private final URI url;
  private final Thread killOnExit;

  private PrometheusServer(Process process, Path dir, URI url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
    // a JVM that dies before close() must not leave a Prometheus behind
    this.killOnExit = new Thread(process::destroyForcibly, "stop-prometheus");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  public static PrometheusServer start(List<String> scrapeTargets) throws IOException, InterruptedException {
    String binary = binary();
    Path dir = Files.createTempDirectory("prometheus-test-");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, config(scrapeTargets));
    IOException last = null;
    // the free port found may be taken again before Prometheus binds it: then try another one
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      Path log = dir.resolve("prometheus-" + port + ".log");
      Process process = new ProcessBuilder(binary,
          "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + port,
          "--log.level=warn")
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      URI url = URI.create("http://127.0.0.1:" + port);
      try {
        awaitReady(process, url, log);
        return new PrometheusServer(process, dir, url);
      } catch (IOException e) {
        process.destroyForcibly().waitFor();
        last = e;
      }
    }
    deleteRecursively(dir);
    throw last;
  }

  public URI url() {
    return url;
  }

  /** The binary scripts/prometheus.sh finds or installs (PROMETHEUS_BIN and PATH first). */
  static String binary() throws IOException, InterruptedException {
    Path script = findScript();
    Process process = new ProcessBuilder("bash", script.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (process.waitFor() != 0 || out.isEmpty()) {
      throw new IOException(script + " found no Prometheus binary (exit " + process.exitValue() + "); see its output above");
    }
    return out.lines().reduce((first, second) -> second).orElseThrow();
  }

  private static Path findScript() throws IOException {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts/prometheus.sh");
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IOException("scripts/prometheus.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static String config(List<String> targets) {
    String list = targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
    return "global:\n"
        + "  scrape_interval: 1s\n"
        + "  scrape_timeout: 1s\n"
        + "  evaluation_interval: 1s\n"
        + "scrape_configs:\n"
        + "  - job_name: istio\n"
        + "    scrape_interval: 1s\n"
        + "    static_configs:\n"
        + "      - targets: [" + list + "]\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitReady(Process process, URI url, Path log) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(url.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Prometheus exited with " + process.exitValue() + ": " + tail(log));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IOException("Prometheus at " + url + " not ready within " + READY_TIMEOUT.toSeconds() + "s: " + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  @Override
  public void close() throws InterruptedException, IOException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
