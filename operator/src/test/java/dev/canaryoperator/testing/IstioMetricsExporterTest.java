package dev.canaryoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;

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
}
