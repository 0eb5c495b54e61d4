package dev.canaryoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.testing.IstioMetricsExporter.Request;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The fixture's own arithmetic, on a clock the test moves. */
class IstioMetricsExporterTest {
  private static final String DESTINATION =
      "{reporter=\"destination\",source_workload=\"productpage-v1\","
          + "source_workload_namespace=\"bookinfo\",source_app=\"productpage\","
          + "destination_service=\"reviews.bookinfo.svc.cluster.local\",destination_service_name=\"reviews\","
          + "destination_service_namespace=\"bookinfo\",destination_workload=\"reviews-v2\","
          + "destination_workload_namespace=\"bookinfo\",destination_app=\"reviews\",destination_version=\"v2\","
          + "request_protocol=\"http\",response_code=\"%s\",response_flags=\"-\",connection_security_policy=\"mutual_tls\"";

  @Test
  void countsRequestsErrorsAndLatencySinceServingStarted() throws Exception {
    AtomicLong nanos = new AtomicLong(0);
    try (IstioMetricsExporter exporter = IstioMetricsExporter.start(nanos::get)) {
      exporter.serve(new IstioMetricsExporter.Traffic("bookinfo", "reviews", "v2", 100, 0.05, 120));
      nanos.set(10_000_000_000L);

      String text = exporter.exposition();

      String ok = String.format(DESTINATION, "200");
      String errors = String.format(DESTINATION, "503");
      assertThat(text)
          .contains(
              "istio_requests_total" + ok + "} 950\n", "istio_requests_total" + errors + "} 50\n");
      assertThat(text)
          .contains(
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"100\"} 0\n",
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"250\"} 950\n",
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"+Inf\"} 950\n",
              "istio_request_duration_milliseconds_sum" + ok + "} 114000\n",
              "istio_request_duration_milliseconds_count" + ok + "} 950\n");
      // the source proxy also waits on the network
      assertThat(text)
          .contains("istio_request_duration_milliseconds_sum{reporter=\"source\"")
          .containsPattern(
              "istio_request_duration_milliseconds_sum\\{reporter=\"source\"[^}]*response_code=\"200\"[^}]*\\} 161500\n");
    }
  }

  @Test
  void countersKeepGrowing() throws Exception {
    AtomicLong nanos = new AtomicLong(0);
    try (IstioMetricsExporter exporter = IstioMetricsExporter.start(nanos::get)) {
      exporter.serve(new IstioMetricsExporter.Traffic("bookinfo", "reviews", "v2", 10, 0, 5));
      nanos.set(1_000_000_000L);
      String first = exporter.exposition();
      nanos.set(2_500_000_000L);
      String later = exporter.exposition();

      String series = "istio_requests_total" + String.format(DESTINATION, "200") + "} ";
      assertThat(first).contains(series + "10\n");
      assertThat(later).contains(series + "25\n");
    }
  }

  @Test
  void requestsSentByTheTestAreCountedExactlyFromTheirFirstRequestOn() throws Exception {
    try (IstioMetricsExporter exporter = IstioMetricsExporter.start(() -> 0)) {
      IstioMetricsExporter.Requests reviews = exporter.requestsTo("bookinfo", "reviews", "v2");
      assertThat(exporter.exposition()).doesNotContain("reviews");

      reviews.send(List.of(new Request(200, 20), new Request(200, 120.5)));

      String ok = String.format(DESTINATION, "200");
      String errors = String.format(DESTINATION, "503");
      String first = exporter.exposition();
      assertThat(first)
          .contains(
              "istio_requests_total" + ok + "} 2\n",
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"10\"} 0\n",
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"25\"} 1\n",
              "istio_request_duration_milliseconds_bucket" + ok + ",le=\"250\"} 2\n",
              "istio_request_duration_milliseconds_sum" + ok + "} 140.5\n")
          // Istio creates a series with its first request: no 503 yet, no 503 series
          .doesNotContain("response_code=\"503\"")
          .containsPattern(
              "istio_request_duration_milliseconds_sum\\{reporter=\"source\"[^}]*\\} 240.5\n");

      reviews.send(List.of(new Request(503, 3)));

      assertThat(exporter.exposition())
          .contains(
              "istio_requests_total" + ok + "} 2\n",
              "istio_requests_total" + errors + "} 1\n",
              "istio_request_duration_milliseconds_sum" + errors + "} 3\n");
      assertThat(reviews.count()).isEqualTo(3);
      assertThat(reviews.errors()).isEqualTo(1);
      assertThat(reviews.latencySumMs()).isEqualTo(143.5);
    }
  }
}
