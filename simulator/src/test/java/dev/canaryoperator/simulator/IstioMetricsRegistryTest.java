package dev.canaryoperator.simulator;

import static dev.canaryoperator.simulator.PrometheusText.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IstioMetricsRegistryTest {

  static final List<String> ISTIO_LABELS =
      List.of(
          "reporter",
          "source_workload",
          "source_canonical_service",
          "source_canonical_revision",
          "source_workload_namespace",
          "source_principal",
          "source_app",
          "source_version",
          "source_cluster",
          "destination_workload",
          "destination_workload_namespace",
          "destination_principal",
          "destination_app",
          "destination_version",
          "destination_service",
          "destination_canonical_service",
          "destination_canonical_revision",
          "destination_service_name",
          "destination_service_namespace",
          "destination_cluster",
          "request_protocol",
          "response_code",
          "grpc_response_status",
          "response_flags",
          "connection_security_policy");

  static final List<String> ENVOY_LE =
      List.of(
          "0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000",
          "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf");

  private static final SourceWorkload SOURCE = SourceWorkload.loadGenerator("bookinfo");
  private static final DestinationWorkload STABLE =
      BackendSpec.of("stable", "reviews", "v1").workloadIn("bookinfo");
  private static final DestinationWorkload CANARY =
      BackendSpec.of("canary", "reviews-canary.shop.svc.cluster.local", null)
          .withWorkload("reviews-canary")
          .withVersion("2.4.1")
          .workloadIn("bookinfo");

  private final IstioMetricsRegistry registry = new IstioMetricsRegistry();

  private void record(DestinationWorkload dest, int code, long ms, int times) {
    for (int i = 0; i < times; i++) {
      registry.record(IstioRequestLabels.http(SOURCE, dest, code), ms);
    }
  }

  @Test
  void emptyRegistryExposesNothing() {
    assertThat(registry.scrape()).isEmpty();
  }

  @Test
  void exposesBothMetricsWithTypesAndIstioLabelsInOrder() {
    record(STABLE, 200, 7, 1);
    String text = registry.scrape();
    PrometheusText parsed = PrometheusText.parse(text);

    assertThat(parsed.types())
        .containsExactly(
            Map.entry("istio_requests_total", "counter"),
            Map.entry("istio_request_duration_milliseconds", "histogram"));
    assertThat(parsed.samples())
        .extracting(PrometheusText.Sample::name)
        .containsOnly(
            "istio_requests_total", "istio_request_duration_milliseconds_bucket",
            "istio_request_duration_milliseconds_sum", "istio_request_duration_milliseconds_count");
    PrometheusText.Sample counter = parsed.named("istio_requests_total").get(0);
    assertThat(List.copyOf(counter.labels().keySet())).isEqualTo(ISTIO_LABELS);
    assertThat(counter.labels())
        .contains(
            Map.entry("reporter", "destination"),
            Map.entry("source_workload", "loadgenerator"),
            Map.entry("source_workload_namespace", "bookinfo"),
            Map.entry("destination_service", "reviews.bookinfo.svc.cluster.local"),
            Map.entry("destination_service_name", "reviews"),
            Map.entry("destination_service_namespace", "bookinfo"),
            Map.entry("destination_workload", "reviews-v1"),
            Map.entry("destination_workload_namespace", "bookinfo"),
            Map.entry("destination_version", "v1"),
            Map.entry("destination_app", "reviews"),
            Map.entry("destination_canonical_revision", "v1"),
            Map.entry("request_protocol", "http"),
            Map.entry("response_code", "200"),
            Map.entry("grpc_response_status", ""),
            Map.entry("response_flags", "-"),
            Map.entry("connection_security_policy", "mutual_tls"));
    // Envoy ends each metric family with an empty line
    assertThat(text)
        .contains(" 1\n\n# TYPE istio_request_duration_milliseconds histogram\n")
        .endsWith("\n\n");
  }

  @Test
  void qualifiedHostNamesItsOwnNamespaceAndConfiguredVersionIsUsed() {
    record(CANARY, 200, 3, 1);
    Map<String, String> labels =
        PrometheusText.parse(registry.scrape()).named("istio_requests_total").get(0).labels();
    assertThat(labels)
        .contains(
            Map.entry("destination_service", "reviews-canary.shop.svc.cluster.local"),
            Map.entry("destination_service_name", "reviews-canary"),
            Map.entry("destination_service_namespace", "shop"),
            Map.entry("destination_workload", "reviews-canary"),
            Map.entry("destination_workload_namespace", "shop"),
            Map.entry("destination_version", "2.4.1"));
  }

  @Test
  void countsAndHistogramsAfterRequestsOfKnownLatency() {
    record(CANARY, 200, 120, 10);
    record(CANARY, 503, 30, 3);
    record(STABLE, 200, 7, 5);
    record(STABLE, 200, 100, 2); // exactly on a bucket bound: le is inclusive
    PrometheusText p = PrometheusText.parse(registry.scrape());

    assertThat(p.named("istio_requests_total")).hasSize(3);
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-canary", "response_code", "200")))
        .isEqualTo(10);
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-canary", "response_code", "503")))
        .isEqualTo(3);
    assertThat(p.sum("istio_requests_total", with("destination_workload", "reviews-v1")))
        .isEqualTo(7);

    var canaryOk = with("destination_workload", "reviews-canary", "response_code", "200");
    assertThat(p.sum("istio_request_duration_milliseconds_sum", canaryOk)).isEqualTo(1200);
    assertThat(p.sum("istio_request_duration_milliseconds_count", canaryOk)).isEqualTo(10);
    assertThat(buckets(p, canaryOk))
        .containsEntry("100", 0L)
        .containsEntry("250", 10L)
        .containsEntry("+Inf", 10L);

    var stable = with("destination_workload", "reviews-v1");
    assertThat(p.sum("istio_request_duration_milliseconds_sum", stable)).isEqualTo(5 * 7 + 2 * 100);
    assertThat(buckets(p, stable))
        .containsEntry("5", 0L)
        .containsEntry("10", 5L)
        .containsEntry("50", 5L)
        .containsEntry("100", 7L)
        .containsEntry("+Inf", 7L);
  }

  @Test
  void bucketsAreEnvoysDefaultsCumulativeAndEndInCount() {
    long[] latencies = {0, 1, 2, 9, 26, 99, 101, 499, 2_000, 70_000, 4_000_000};
    for (long ms : latencies) {
      record(STABLE, 200, ms, 1);
    }
    record(CANARY, 503, 42, 4);
    PrometheusText p = PrometheusText.parse(registry.scrape());
    for (String workload : List.of("reviews-v1", "reviews-canary")) {
      var series = with("destination_workload", workload);
      List<PrometheusText.Sample> bucketSamples =
          p.named("istio_request_duration_milliseconds_bucket", series);
      assertThat(bucketSamples)
          .extracting(s -> s.labels().get("le"))
          .containsExactlyElementsOf(ENVOY_LE);
      long previous = 0;
      for (PrometheusText.Sample s : bucketSamples) {
        assertThat((long) s.number()).isGreaterThanOrEqualTo(previous);
        previous = (long) s.number();
      }
      double count = p.sum("istio_request_duration_milliseconds_count", series);
      assertThat((double) previous).isEqualTo(count);
      assertThat(p.sum("istio_requests_total", series)).isEqualTo(count);
    }
    var stable = with("destination_workload", "reviews-v1");
    assertThat(buckets(p, stable))
        .containsEntry("0.5", 1L) // the 0 ms request
        .containsEntry("1", 2L)
        .containsEntry("3600000", 10L) // 4,000,000 ms is only in +Inf
        .containsEntry("+Inf", 11L);
    long sum = 0;
    for (long ms : latencies) {
      sum += ms;
    }
    assertThat(p.sum("istio_request_duration_milliseconds_sum", stable)).isEqualTo(sum);
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int code = t % 2 == 0 ? 200 : 503;
      futures.add(pool.submit(() -> record(STABLE, code, 12, 5_000)));
      futures.add(
          pool.submit(() -> registry.scrape())); // scraping meanwhile must not break anything
    }
    for (var f : futures) {
      f.get(1, TimeUnit.MINUTES);
    }
    pool.shutdown();
    PrometheusText p = PrometheusText.parse(registry.scrape());
    assertThat(p.sum("istio_requests_total", with("response_code", "200"))).isEqualTo(10_000);
    assertThat(p.sum("istio_requests_total", with("response_code", "503"))).isEqualTo(10_000);
    assertThat(p.sum("istio_request_duration_milliseconds_sum", with())).isEqualTo(20_000 * 12);
  }

  @Test
  void boundsPrintLikeEnvoy() {
    assertThat(IstioMetricsRegistry.formatBound(0.5)).isEqualTo("0.5");
    assertThat(IstioMetricsRegistry.formatBound(1)).isEqualTo("1");
    assertThat(IstioMetricsRegistry.formatBound(3_600_000)).isEqualTo("3600000");
  }

  private static Map<String, Long> buckets(
      PrometheusText p, java.util.function.Predicate<Map<String, String>> series) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (var s : p.named("istio_request_duration_milliseconds_bucket", series)) {
      out.merge(s.labels().get("le"), (long) s.number(), Long::sum);
    }
    return out;
  }
}
