package dev.canaryoperator.testsupport;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus server (the binary scripts/prometheus.sh finds or installs: PROMETHEUS_BIN,
 * PATH, else Debian's package) on a free loopback port, scraping its targets every second.
 *
 * <p>It can be stopped and started again on the same port with the same data directory, so the
 * history survives an outage as it does for a real Prometheus.
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The free port found may be taken again before Prometheus binds it; then the first start tries
   * another.
   */
  private static final int PORT_ATTEMPTS = 3;

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Path binary;
  private final Path dir;
  private final String job;

  /** Null when targets come and go through {@link #scrape} and {@link #forget}. */
  private final List<String> staticTargets;

  private final boolean temporary;
  private final Duration scrapeInterval;
  private final Set<String> targets = new LinkedHashSet<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ManagedProcess process;
  private int port;
  private URI url;

  private PrometheusProcess(
      Path binary,
      Path dir,
      String job,
      List<String> staticTargets,
      boolean temporary,
      Duration scrapeInterval) {
    this.binary = binary;
    this.scrapeInterval = scrapeInterval;
    this.dir = dir;
    this.job = job;
    this.staticTargets = staticTargets;
    this.temporary = temporary;
    this.process = new ManagedProcess("Prometheus", dir.resolve("prometheus.log"));
  }

  /**
   * Scrapes exactly {@code targets} ({@code host:port}, /metrics) as job {@code job}, keeping its
   * files in a temporary directory that {@link #close()} deletes.
   */
  public static PrometheusProcess scraping(
      RepositoryRoot repository, String job, List<String> targets)
      throws IOException, InterruptedException {
    return scraping(repository, job, targets, Duration.ofSeconds(1));
  }

  /**
   * As {@link #scraping(RepositoryRoot, String, List)}, every {@code scrapeInterval} (a benchmark's
   * large targets cost less scraped less often).
   */
  public static PrometheusProcess scraping(
      RepositoryRoot repository, String job, List<String> targets, Duration scrapeInterval)
      throws IOException, InterruptedException {
    Path binary = binary(repository);
    return start(
        new PrometheusProcess(
            binary,
            Files.createTempDirectory("prometheus-"),
            job,
            List.copyOf(targets),
            true,
            scrapeInterval));
  }

  /**
   * Scrapes what {@link #scrape} adds, as job {@code job}, keeping configuration, data and log
   * under {@code dir}, which is left in place for the logs of a failed run. The targets are a
   * file_sd file that Prometheus watches, so they can come and go without a reload.
   */
  public static PrometheusProcess scrapingTargetsFile(
      RepositoryRoot repository, String job, Path dir) throws IOException, InterruptedException {
    Path binary = binary(repository);
    return start(
        new PrometheusProcess(
            binary, Files.createDirectories(dir), job, null, false, Duration.ofSeconds(1)));
  }

  private static PrometheusProcess start(PrometheusProcess prometheus)
      throws IOException, InterruptedException {
    try {
      if (prometheus.staticTargets == null) {
        prometheus.writeTargets();
      }
      Files.writeString(prometheus.dir.resolve("prometheus.yml"), prometheus.config());
      IOException last = null;
      for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        prometheus.port = LoopbackPort.free().number();
        prometheus.url = URI.create("http://127.0.0.1:" + prometheus.port);
        try {
          prometheus.start();
          return prometheus;
        } catch (IOException e) {
          last = e;
        }
      }
      throw last;
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
    if (process.running()) {
      return;
    }
    process.start(
        new ProcessBuilder(
            binary.toString(),
            "--config.file=" + dir.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=warn"));
    try {
      process.awaitHttpOk(url.resolve("/-/ready"), READY_TIMEOUT);
    } catch (IOException | InterruptedException e) {
      process.kill();
      throw e;
    }
  }

  /**
   * Stops the server as an outage would (SIGTERM, then SIGKILL after a grace period); data and port
   * are kept.
   */
  public void stop() throws InterruptedException {
    process.stop();
  }

  public boolean running() {
    return process.running();
  }

  /** Adds a {@code host:port} whose /metrics is scraped every second. */
  public synchronized void scrape(String target) throws IOException {
    requireTargetsFile();
    if (targets.add(target)) {
      writeTargets();
    }
  }

  public synchronized void forget(String target) throws IOException {
    requireTargetsFile();
    if (targets.remove(target)) {
      writeTargets();
    }
  }

  /**
   * Timestamps of the scrapes of {@code target} in the {@code range} before {@code at}, oldest
   * first.
   */
  public List<Instant> scrapeTimes(String target, Instant at, Duration range)
      throws IOException, InterruptedException {
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
  public int successfulScrapes(String target, Duration range)
      throws IOException, InterruptedException {
    Map<?, ?> data =
        query(
            "sum_over_time(up{instance=\"" + target + "\"}[" + range.toSeconds() + "s])",
            Instant.now());
    List<?> result = (List<?>) data.get("result");
    if (result.isEmpty()) {
      return 0;
    }
    List<?> value = (List<?>) ((Map<?, ?>) result.get(0)).get("value");
    return (int) Double.parseDouble(value.get(1).toString());
  }

  private Map<?, ?> query(String promql, Instant at) throws IOException, InterruptedException {
    URI uri =
        url.resolve(
            "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time="
                + at.toEpochMilli() / 1000.0);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "Prometheus answered "
              + response.statusCode()
              + " to "
              + promql
              + ": "
              + response.body());
    }
    return (Map<?, ?>) JSON.unmarshal(response.body(), Map.class).get("data");
  }

  private void requireTargetsFile() {
    if (staticTargets != null) {
      throw new IllegalStateException(
          "this Prometheus scrapes a fixed list of targets: " + staticTargets);
    }
  }

  private void writeTargets() throws IOException {
    // written whole and renamed, so Prometheus' file watcher never reads half a file
    String json =
        "[{\"targets\": ["
            + targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
            + "], \"labels\": {}}]\n";
    Path tmp = dir.resolve("targets.json.tmp");
    Files.writeString(tmp, json);
    Files.move(
        tmp,
        dir.resolve("targets.json"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private String config() {
    String targetsConfig =
        staticTargets != null
            ? "    static_configs:\n"
                + "      - targets: ["
                + staticTargets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))
                + "]\n"
            : "    file_sd_configs:\n"
                + "      - files: ['"
                + dir.resolve("targets.json")
                + "']\n"
                + "        refresh_interval: 1s\n";
    String every = scrapeInterval.toMillis() + "ms";
    return "global:\n"
        + "  scrape_interval: "
        + every
        + "\n"
        + "  scrape_timeout: "
        + every
        + "\n"
        + "  evaluation_interval: 1s\n"
        + "scrape_configs:\n"
        + "  - job_name: "
        + job
        + "\n"
        + targetsConfig;
  }

  private static Path binary(RepositoryRoot repository) throws IOException, InterruptedException {
    return repository.script("prometheus.sh").printedPath();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
    if (temporary) {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
