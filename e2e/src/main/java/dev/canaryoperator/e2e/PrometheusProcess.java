package dev.canaryoperator.e2e;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's Prometheus server (found or installed by scripts/prometheus.sh) on a loopback port,
 * scraping every second whatever targets are registered. Unlike a test fixture it can be stopped and
 * started again on the same port with the same data directory, so the history survives an outage as
 * it does for a real Prometheus.
 *
 * <p>Targets come from a file_sd file that Prometheus watches, so meshes can come and go without a
 * reload.
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final String binary;
  private final Path dir;
  private final int port;
  private final URI url;
  private final Set<String> targets = new LinkedHashSet<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Thread killOnExit;
  private Process process;

  private PrometheusProcess(String binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.url = URI.create("http://127.0.0.1:" + port);
    this.killOnExit = new Thread(this::kill, "stop-prometheus");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Starts a server keeping its configuration, data and log under {@code dir}. */
  public static PrometheusProcess start(Repository repository, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    PrometheusProcess prometheus = new PrometheusProcess(binary(repository), dir, LoopbackPort.free().number());
    try {
      prometheus.writeTargets();
      Files.writeString(dir.resolve("prometheus.yml"), config(dir.resolve("targets.json")));
      prometheus.start();
      return prometheus;
    } catch (IOException | InterruptedException | RuntimeException e) {
      prometheus.close();
      throw e;
    }
  }

  public URI url() {
    return url;
  }

  /** Starts the server again after {@link #stop()}: same port, same data. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    Path log = dir.resolve("prometheus.log");
    process = new ProcessBuilder(binary,
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    awaitReady(log);
  }

  /** Stops the server as an outage would (SIGTERM, then SIGKILL after 10 s); data and port are kept. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    process = null;
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** Adds a {@code host:port} whose /metrics is scraped every second. */
  public synchronized void scrape(String target) throws IOException {
    if (targets.add(target)) {
      writeTargets();
    }
  }

  public synchronized void forget(String target) throws IOException {
    if (targets.remove(target)) {
      writeTargets();
    }
  }

  /** Timestamps of the scrapes of {@code target} in the {@code range} before {@code at}, oldest first. */
  public List<Instant> scrapeTimes(String target, Instant at, Duration range) throws IOException, InterruptedException {
    Map<?, ?> data = query("up{instance=\"" + target + "\"}[" + range.toSeconds() + "s]", at);
    List<Instant> times = new ArrayList<>();
    for (Object series : (List<?>) data.get("result")) {
      for (Object sample : (List<?>) ((Map<?, ?>) series).get("values")) {
        double seconds = ((Number) ((List<?>) sample).get(0)).doubleValue();
        times.add(Instant.ofEpochMilli(Math.round(seconds * 1000)));
      }
    }
    times.sort(null);
    return times;
  }

  /** How many scrapes of {@code target} succeeded in the last {@code range}. */
  public int successfulScrapes(String target, Duration range) throws IOException, InterruptedException {
    Map<?, ?> data = query("sum_over_time(up{instance=\"" + target + "\"}[" + range.toSeconds() + "s])", Instant.now());
    List<?> result = (List<?>) data.get("result");
    if (result.isEmpty()) {
      return 0;
    }
    List<?> value = (List<?>) ((Map<?, ?>) result.get(0)).get("value");
    return (int) Double.parseDouble(value.get(1).toString());
  }

  private Map<?, ?> query(String promql, Instant at) throws IOException, InterruptedException {
    URI uri = url.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&time=" + at.toEpochMilli() / 1000.0);
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("Prometheus answered " + response.statusCode() + " to " + promql + ": " + response.body());
    }
    return (Map<?, ?>) JSON.unmarshal(response.body(), Map.class).get("data");
  }

  private void writeTargets() throws IOException {
    // written whole and renamed, so Prometheus' file watcher never reads half a file
    String json = "[{\"targets\": [" + targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
        + "], \"labels\": {}}]\n";
    Path tmp = dir.resolve("targets.json.tmp");
    Files.writeString(tmp, json);
    Files.move(tmp, dir.resolve("targets.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String config(Path targetsFile) {
    return "global:\n"
        + "  scrape_interval: 1s\n"
        + "  scrape_timeout: 1s\n"
        + "  evaluation_interval: 1s\n"
        + "scrape_configs:\n"
        + "  - job_name: mesh\n"
        + "    file_sd_configs:\n"
        + "      - files: ['" + targetsFile + "']\n"
        + "        refresh_interval: 1s\n";
  }

  /** The binary scripts/prometheus.sh finds or installs (PROMETHEUS_BIN and PATH first). */
  private static String binary(Repository repository) throws IOException, InterruptedException {
    Path script = repository.script("prometheus.sh");
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

  private void awaitReady(Path log) throws IOException, InterruptedException {
    HttpRequest ready = HttpRequest.newBuilder(url.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("Prometheus exited with " + process.exitValue() + ": " + LogTail.of(log));
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
    throw new IOException("Prometheus at " + url + " not ready within " + READY_TIMEOUT.toSeconds() + "s: " + LogTail.of(log));
  }

  private synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
