package dev.canaryoperator.bench;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Step;
import dev.canaryoperator.api.VirtualServiceRef;
import dev.canaryoperator.e2e.ControlPlane;
import dev.canaryoperator.e2e.OperatorProcess;
import dev.canaryoperator.testsupport.KubeApiServers;
import dev.canaryoperator.testsupport.PrometheusProcess;
import dev.canaryoperator.testsupport.RepositoryRoot;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * N healthy releases analysing at once on the loopback stack (kube-apiserver + etcd, Prometheus
 * scraping a synthetic exporter every 5 s, the operator jar in its own JVM with -Xmx256m), measured
 * over a fixed span once all of them have been analysed. How each figure is taken:
 *
 * <ul>
 *   <li>analyses done: the growth of the operator's canary_release_analyses_total over the span,
 *       per second; wanted: releases / interval.
 *   <li>lateness: at samples every half interval, how old each release's last analysis
 *       (status.lastAnalysis.time) is, in intervals; p50 and p99 over all samples of all releases.
 *       An operator on time keeps every release under 1 interval plus the time an analysis takes.
 *   <li>CPU: the operator process's user + system time (/proc/PID/stat) over the span, in cores.
 *   <li>RSS: the operator process's peak resident memory (VmHWM in /proc/PID/status).
 *   <li>Prometheus queries: the growth of Prometheus's own prometheus_http_requests_total for
 *       /api/v1/query over the span.
 *   <li>API writes: the growth of the kube-apiserver's apiserver_request_total for POST, PUT,
 *       PATCH, APPLY and DELETE over the span (the benchmark itself writes nothing then).
 *   <li>takeover: the operator is killed (SIGKILL) and a fresh one started; the time from the start
 *       until every release shows an analysis made by the new process.
 * </ul>
 */
public final class ScaleBenchmark {
  private static final String NAMESPACE = "scale";
  private static final int CREATORS = 16;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final KubernetesClient client;
  private final int releases;
  private final Duration interval;

  private ScaleBenchmark(KubernetesClient client, int releases, Duration interval) {
    this.client = client;
    this.releases = releases;
    this.interval = interval;
  }

  public static void main(String[] args) throws Exception {
    int releases = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Duration interval = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
    Duration span =
        Duration.ofSeconds(
            args.length > 2 ? Long.parseLong(args[2]) : Math.max(60, 6 * interval.toSeconds()));
    String label = System.getProperty("canary.bench.label", "this checkout");
    RepositoryRoot repository = RepositoryRoot.locate();
    Path dir =
        Files.createDirectories(
            Path.of(System.getProperty("canary.stack.dir", "bench/target/scale")));
    Path jar = operatorJar(repository);
    List<String> services = new ArrayList<>();
    for (int i = 0; i < releases; i++) {
      services.add(stable(i));
      services.add(canary(i));
    }
    try (ControlPlane plane = ControlPlane.start(KubeApiServers.fromSystemProperties(), dir);
        SyntheticExporter exporter = new SyntheticExporter(NAMESPACE, services, 10);
        PrometheusProcess prometheus =
            PrometheusProcess.scraping(
                repository, "mesh", List.of(exporter.target()), Duration.ofSeconds(5))) {
      ScaleBenchmark bench = new ScaleBenchmark(plane.client(), releases, interval);
      long created = System.nanoTime();
      bench.createReleases(prometheus.url());
      log(
          "created %d VirtualServices and CanaryReleases in %.1f s",
          releases, (System.nanoTime() - created) / 1e9);
      // two scrapes, so every counter has a value before the first analysis
      Thread.sleep(12_000);
      OperatorProcess operator =
          new OperatorProcess(jar, plane.kubeconfig(), NAMESPACE, dir.resolve("operator.log"));
      try {
        Instant first = Instant.now();
        operator.start();
        Duration firstAnalyses = bench.awaitAllAnalysedSince(first);
        log("all %d releases analysed %.1f s after the start", releases, seconds(firstAnalyses));
        Thread.sleep(interval.toMillis());
        Row row = bench.measure(operator, prometheus.url(), span);
        operator.kill();
        Instant restarted = Instant.now();
        operator.start();
        Duration takeover = bench.awaitAllAnalysedSince(restarted);
        boolean oom = Files.readString(operator.log()).contains("OutOfMemoryError");
        System.out.println();
        System.out.println(
            "| operator | releases | interval | analyses done / wanted | lateness p50 / p99"
                + " | operator CPU | RSS (peak) | Prometheus queries/s (per analysis)"
                + " | API writes/s | takeover |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        System.out.printf(
            Locale.ROOT,
            "| %s | %,d | %d s | %.1f/s of %.1f/s | %.2f / %.2f intervals | %.2f core"
                + " | %d MiB%s | %.0f (%.2f) | %.1f | %.0f s |%n",
            label,
            releases,
            interval.toSeconds(),
            row.analysesPerSecond,
            releases / (double) interval.toSeconds(),
            row.latenessP50,
            row.latenessP99,
            row.cores,
            row.peakRssKiB / 1024,
            oom ? " (OutOfMemoryError)" : "",
            row.queriesPerSecond,
            row.queriesPerSecond / row.analysesPerSecond,
            row.writesPerSecond,
            seconds(takeover));
        System.out.printf(
            Locale.ROOT,
            "%nmeasured over %d s by: bench/scale %d %d %d (operator jar %s)%n",
            span.toSeconds(),
            releases,
            interval.toSeconds(),
            span.toSeconds(),
            jar.getFileName());
      } finally {
        operator.close();
      }
    }
  }

  private record Row(
      double analysesPerSecond,
      double latenessP50,
      double latenessP99,
      double cores,
      long peakRssKiB,
      double queriesPerSecond,
      double writesPerSecond) {}

  private record Counters(
      Instant at, double analyses, double queries, double writes, long cpuTicks) {}

  private Row measure(OperatorProcess operator, URI prometheus, Duration span)
      throws IOException, InterruptedException {
    Counters start = counters(operator, prometheus);
    List<Double> lateness = new ArrayList<>();
    Instant end = start.at().plus(span);
    Duration every =
        interval.dividedBy(2).compareTo(Duration.ofSeconds(2)) < 0
            ? Duration.ofSeconds(2)
            : interval.dividedBy(2);
    while (Instant.now().isBefore(end)) {
      Thread.sleep(Math.min(every.toMillis(), Duration.between(Instant.now(), end).toMillis()));
      Instant now = Instant.now();
      for (CanaryRelease release : list()) {
        Instant last = lastAnalysis(release);
        lateness.add(
            last == null
                ? Double.POSITIVE_INFINITY
                : Duration.between(last, now).toMillis() / (double) interval.toMillis());
      }
    }
    Counters stop = counters(operator, prometheus);
    double elapsed = Duration.between(start.at(), stop.at()).toMillis() / 1000.0;
    Collections.sort(lateness);
    return new Row(
        (stop.analyses() - start.analyses()) / elapsed,
        percentile(lateness, 0.50),
        percentile(lateness, 0.99),
        (stop.cpuTicks() - start.cpuTicks()) / 100.0 / elapsed,
        procStatus(operator.pid(), "VmHWM"),
        (stop.queries() - start.queries()) / elapsed,
        (stop.writes() - start.writes()) / elapsed);
  }

  private Counters counters(OperatorProcess operator, URI prometheus)
      throws IOException, InterruptedException {
    Instant at = Instant.now();
    double analyses =
        sum(get(operator.metricsUri()), line -> line.startsWith("canary_release_analyses_total"));
    double queries =
        sum(
            get(prometheus.resolve("/metrics")),
            line ->
                line.startsWith("prometheus_http_requests_total")
                    && line.contains("handler=\"/api/v1/query\""));
    double writes =
        sum(
            client.raw("/metrics"),
            line ->
                line.startsWith("apiserver_request_total{")
                    && List.of("POST", "PUT", "PATCH", "APPLY", "DELETE").stream()
                        .anyMatch(verb -> line.contains("verb=\"" + verb + "\"")));
    return new Counters(at, analyses, queries, writes, cpuTicks(operator.pid()));
  }

  private Duration awaitAllAnalysedSince(Instant since) throws InterruptedException {
    Instant deadline = since.plus(interval.multipliedBy(6)).plusSeconds(60 + releases / 20);
    while (true) {
      long behind = list().stream().filter(r -> !analysedSince(r, since)).count();
      if (behind == 0) {
        return Duration.between(since, Instant.now());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            behind + " of " + releases + " releases not analysed since " + since);
      }
      Thread.sleep(1000);
    }
  }

  private static boolean analysedSince(CanaryRelease release, Instant since) {
    Instant last = lastAnalysis(release);
    return last != null && !last.isBefore(since);
  }

  private static Instant lastAnalysis(CanaryRelease release) {
    var status = release.getStatus();
    if (status == null || status.getLastAnalysis() == null) {
      return null;
    }
    String time = status.getLastAnalysis().getTime();
    return time == null ? null : Instant.parse(time);
  }

  private List<CanaryRelease> list() {
    return client.resources(CanaryRelease.class).inNamespace(NAMESPACE).list().getItems();
  }

  private void createReleases(URI prometheus) throws Exception {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    ExecutorService creators = Executors.newFixedThreadPool(CREATORS);
    try {
      List<Future<?>> created = new ArrayList<>();
      IntStream.range(0, releases)
          .forEach(
              i ->
                  created.add(
                      creators.submit(
                          () -> {
                            client
                                .resources(VirtualService.class)
                                .inNamespace(NAMESPACE)
                                .resource(virtualService(i))
                                .create();
                            client
                                .resources(CanaryRelease.class)
                                .inNamespace(NAMESPACE)
                                .resource(release(i, prometheus))
                                .create();
                          })));
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      creators.shutdownNow();
    }
  }

  private static VirtualService virtualService(int i) {
    return new VirtualServiceBuilder()
        .withNewMetadata()
        .withName("svc-" + i)
        .endMetadata()
        .withNewSpec()
        .withHosts("svc-" + i)
        .addNewHttp()
        .withName("primary")
        .addNewRoute()
        .withNewDestination()
        .withHost(stable(i))
        .endDestination()
        .withWeight(100)
        .endRoute()
        .endHttp()
        .endSpec()
        .build();
  }

  /** Healthy and long-lived: the first step lasts an hour, so every release keeps analysing. */
  private CanaryRelease release(int i, URI prometheus) {
    CanaryReleaseSpec spec = new CanaryReleaseSpec();
    spec.setVirtualService(new VirtualServiceRef("svc-" + i, List.of()));
    spec.setStable(new Destination(stable(i), null, null));
    spec.setCanary(new Destination(canary(i), null, null));
    spec.setSteps(List.of(new Step(5, "1h"), new Step(50, "1h")));
    AnalysisSpec analysis = new AnalysisSpec(new PrometheusSpec(prometheus.toString()));
    analysis.setInterval(interval.toSeconds() + "s");
    analysis.setWindow("1m");
    spec.setAnalysis(analysis);
    CanaryRelease release = new CanaryRelease();
    release.setMetadata(new ObjectMetaBuilder().withName("release-" + i).build());
    release.setSpec(spec);
    return release;
  }

  private static String stable(int i) {
    return "svc-" + i + "-stable";
  }

  private static String canary(int i) {
    return "svc-" + i + "-canary";
  }

  private static String get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sum of every sample in a text exposition whose line the filter accepts. */
  private static double sum(String exposition, Predicate<String> lines) {
    return exposition
        .lines()
        .filter(lines)
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // fields after the command (which may hold spaces): state is 3rd, utime 14th, stime 15th
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static long procStatus(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(
            Arrays.stream(line.substring(field.length() + 1).trim().split("\\s+"))
                .findFirst()
                .orElseThrow());
      }
    }
    throw new IOException("no " + field + " in /proc/" + pid + "/status");
  }

  private static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static Path operatorJar(RepositoryRoot repository) throws IOException {
    String configured = System.getProperty("canary.operator.jar");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(
            repository.resolve("operator/target"), "canary-operator-*-all.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IOException("no operator/target/canary-operator-*-all.jar: run bench/scale");
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[scale] " + format + "%n", args);
  }
}
