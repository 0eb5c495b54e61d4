package dev.canaryoperator.simulator;

import static dev.canaryoperator.simulator.PrometheusText.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backends driven through the admin API while they run. The load generator is paused (rate 0) and
 * requests go straight to the backend one at a time, with a {@link ManualTicker}, so counts and
 * recorded durations are exact.
 */
class BackendTest {

  private MeshSimulator simulator;
  private AdminClient admin;
  private Backend canary;

  @BeforeEach
  void start() throws Exception {
    simulator =
        MeshSimulator.builder()
            .namespace("bookinfo")
            .virtualServiceSource(new InMemoryVirtualServiceSource(VirtualServices.split(90, 10)))
            .backend(BackendSpec.of("stable", "reviews-stable", "v1"))
            .backend(
                BackendSpec.of("canary", "reviews-canary", "v2"),
                new BackendBehaviour(0, 503, 10, 0))
            .load(LoadSettings.DEFAULT.withRate(0))
            .ticker(new ManualTicker())
            .seed(11)
            .build()
            .start();
    admin = new AdminClient(simulator.adminUri());
    canary = simulator.backend("canary");
  }

  @AfterEach
  void stop() {
    simulator.close();
  }

  private Map<Integer, Integer> call(int times) throws Exception {
    Map<Integer, Integer> statuses = new HashMap<>();
    for (int i = 0; i < times; i++) {
      statuses.merge(admin.call(canary), 1, Integer::sum);
    }
    return statuses;
  }

  @Test
  void errorRateChangedAtRuntimeTakesEffect() throws Exception {
    assertThat(call(50)).containsOnly(Map.entry(200, 50));

    assertThat(admin.post("/admin/backends/canary?errorRate=1", "").statusCode()).isEqualTo(200);
    assertThat(call(20)).containsOnly(Map.entry(503, 20));

    assertThat(admin.post("/admin/backends/canary", "{\"errorStatus\": 500}").statusCode())
        .isEqualTo(200);
    assertThat(call(20)).containsOnly(Map.entry(500, 20));

    admin.post("/admin/backends/canary?errorRate=0.3&errorStatus=503", "");
    Map<Integer, Integer> mixed = call(1000);
    // binomial sd at p=0.3, n=1000 is 0.0145
    assertThat(mixed.get(503) / 1000.0).isCloseTo(0.3, within(0.07));
    assertThat(mixed.get(200) + mixed.get(503)).isEqualTo(1000);

    admin.post("/admin/backends/canary?errorRate=0", "");
    assertThat(call(50)).containsOnly(Map.entry(200, 50));

    PrometheusText p = PrometheusText.parse(simulator.scrapeMetrics());
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-canary-v2", "response_code", "500")))
        .isEqualTo(20);
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-canary-v2", "response_code", "503")))
        .isEqualTo(20 + mixed.get(503));
    // the stable backend was not called and so has no series at all
    assertThat(p.named("istio_requests_total", with("destination_workload", "reviews-stable-v1")))
        .isEmpty();
  }

  @Test
  void latencyChangedAtRuntimeShowsInTheHistogram() throws Exception {
    var series = with("destination_workload", "reviews-canary-v2");
    call(10); // 10 ms each
    admin.post("/admin/backends/canary", "{\"latencyMs\": 120, \"latencySigma\": 0}");
    call(10);
    PrometheusText p = PrometheusText.parse(simulator.scrapeMetrics());
    assertThat(p.sum("istio_request_duration_milliseconds_sum", series))
        .isEqualTo(10 * 10 + 10 * 120);
    assertThat(
            p.sum(
                "istio_request_duration_milliseconds_bucket",
                with("destination_workload", "reviews-canary-v2", "le", "10")))
        .isEqualTo(10);
    assertThat(
            p.sum(
                "istio_request_duration_milliseconds_bucket",
                with("destination_workload", "reviews-canary-v2", "le", "100")))
        .isEqualTo(10);
    assertThat(
            p.sum(
                "istio_request_duration_milliseconds_bucket",
                with("destination_workload", "reviews-canary-v2", "le", "250")))
        .isEqualTo(20);

    admin.post("/admin/backends/canary?latencyMs=30", "");
    call(10);
    p = PrometheusText.parse(simulator.scrapeMetrics());
    assertThat(p.sum("istio_request_duration_milliseconds_count", series)).isEqualTo(30);
    assertThat(p.sum("istio_request_duration_milliseconds_sum", series))
        .isEqualTo(100 + 1200 + 300);
    assertThat(
            p.sum(
                "istio_request_duration_milliseconds_bucket",
                with("destination_workload", "reviews-canary-v2", "le", "50")))
        .isEqualTo(20);
  }

  @Test
  void adminApiReportsAndRejectsMistakes() throws Exception {
    var backends = admin.get("/admin/backends");
    assertThat(backends.statusCode()).isEqualTo(200);
    assertThat(backends.body())
        .contains(
            "\"canary\"",
            "\"reviews-canary.bookinfo.svc.cluster.local/v2\"",
            "\"port\" : " + canary.port());

    var bad = admin.post("/admin/backends/canary?errorRate=2", "");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("errorRate must be within 0..1");
    assertThat(admin.post("/admin/backends/canary", "{\"latencyMillis\": 3}").body())
        .contains("unknown backend setting");
    assertThat(admin.post("/admin/backends/canary", "not json").statusCode()).isEqualTo(400);
    assertThat(admin.post("/admin/backends/nosuch?errorRate=0", "").statusCode()).isEqualTo(404);
    assertThat(admin.get("/nosuch").statusCode()).isEqualTo(404);
    // nothing of the rejected changes was applied
    assertThat(canary.behaviour()).isEqualTo(new BackendBehaviour(0, 503, 10, 0));

    var load = admin.post("/admin/load?rate=0&canaryGroupFraction=0.25", "");
    assertThat(load.statusCode()).isEqualTo(200);
    assertThat(simulator.load().canaryGroupFraction()).isEqualTo(0.25);
    assertThat(admin.post("/admin/load?rate=100000", "").statusCode()).isEqualTo(400);
    assertThat(admin.get("/healthz").body()).isEqualTo("ok\n");
  }
}
