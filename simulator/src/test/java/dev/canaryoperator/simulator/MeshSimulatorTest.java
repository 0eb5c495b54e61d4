package dev.canaryoperator.simulator;

import static dev.canaryoperator.simulator.PrometheusText.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole simulator in-process: real backends, real HTTP calls, the route table fed by an
 * in-memory VirtualService that the test rewrites as the operator would.
 */
class MeshSimulatorTest {

  private static final Duration PATIENCE =
      Duration.ofMinutes(2); // a slow shared machine, not an assertion
  private static final int PHASE = 1500;

  private final InMemoryVirtualServiceSource vs =
      new InMemoryVirtualServiceSource(VirtualServices.split(80, 20));
  private MeshSimulator simulator;

  @BeforeEach
  void start() throws Exception {
    BackendBehaviour fast = new BackendBehaviour(0, 503, 0, 0);
    simulator =
        MeshSimulator.builder()
            .namespace("bookinfo")
            .virtualServiceSource(vs)
            .backend(BackendSpec.of("stable", "reviews-stable", "v1"), fast)
            .backend(BackendSpec.of("canary", "reviews-canary", "v2"), fast)
            .load(LoadSettings.DEFAULT.withRate(1000).withCanaryGroupFraction(0.1))
            .seed(20240601)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    simulator.close();
  }

  /** Zero the counts, then wait for a phase's worth of completed requests. */
  private TrafficStats.Snapshot measurePhase() {
    simulator.resetStats();
    await().atMost(PATIENCE).until(() -> simulator.stats().sent() >= PHASE);
    return simulator.stats();
  }

  private void publish(int stable, int canary) {
    long before = simulator.virtualServiceUpdates();
    vs.publish(VirtualServices.split(stable, canary));
    assertThat(simulator.virtualServiceUpdates()).isGreaterThan(before);
  }

  @Test
  void splitFollowsTheWeightsAndTheirChanges() {
    // 10% of requests are canary group and always go to the canary: expected canary share is
    // 0.1 + 0.9 * weight. Binomial sd for n=1500 is at most 0.013; tolerance 0.05 is > 3.8 sd.
    TrafficStats.Snapshot s = measurePhase();
    assertThat(s.share("canary")).isCloseTo(0.1 + 0.9 * 0.20, within(0.05));
    assertThat(s.backends().get("stable").canaryGroupRequests()).isZero();
    assertThat(s.routes()).containsKeys("canary-group", "primary");

    publish(50, 50);
    s = measurePhase();
    assertThat(s.share("canary")).isCloseTo(0.1 + 0.9 * 0.5, within(0.05));

    publish(100, 0);
    s = measurePhase();
    // at most the one request being routed while the table was swapped can use the old weights
    assertThat(s.requests("canary") - s.backends().get("canary").canaryGroupRequests())
        .isLessThanOrEqualTo(1);
    assertThat(s.share("canary")).isCloseTo(0.1, within(0.05));
    assertThat(s.errors("stable") + s.errors("canary")).isZero();
    assertThat(s.unrouted()).isEmpty();
    assertThat(s.unknownDestinations()).isEmpty();
  }

  @Test
  void errorsOfTheCanaryShowInStatsAndInIstioMetrics() throws Exception {
    // pause and let answers to earlier requests arrive, so that every answer counted below
    // comes from the failing canary
    simulator.load(simulator.load().withRate(0));
    await().atMost(PATIENCE).until(() -> simulator.inFlight() == 0);
    simulator.backend("canary").behaviour(new BackendBehaviour(1.0, 503, 0, 0));
    simulator.resetStats();
    simulator.load(simulator.load().withRate(1000));
    await().atMost(PATIENCE).until(() -> simulator.stats().sent() >= PHASE);
    simulator.load(simulator.load().withRate(0));
    await().atMost(PATIENCE).until(() -> simulator.inFlight() == 0);
    TrafficStats.Snapshot s = simulator.stats();
    assertThat(s.errors("canary")).isEqualTo(s.requests("canary")).isPositive();
    assertThat(s.backends().get("canary").responses()).isEqualTo(s.requests("canary"));
    assertThat(s.errors("stable")).isZero();

    String text = new AdminClient(simulator.adminUri()).get("/metrics").body();
    PrometheusText p = PrometheusText.parse(text);
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-canary-v2", "response_code", "503")))
        .isGreaterThanOrEqualTo(s.errors("canary"));
    assertThat(
            p.sum(
                "istio_requests_total",
                with("destination_workload", "reviews-stable-v1", "response_code", "200")))
        .isGreaterThanOrEqualTo(s.requests("stable"));
    assertThat(
            p.named(
                "istio_requests_total",
                with("destination_workload", "reviews-stable-v1", "response_code", "503")))
        .isEmpty();
  }

  @Test
  void deletedVirtualServiceRoutesNothingAndUnknownHostsAreCounted() {
    vs.publish(null);
    TrafficStats.Snapshot s = measureGenerated();
    assertThat(s.unrouted()).containsOnlyKeys("no route matched");
    assertThat(s.sent()).isLessThanOrEqualTo(1);

    vs.publish(
        VirtualServices.yaml(
            """
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          http:
          - route:
            - destination: {host: ratings}
        """));
    s = measureGenerated();
    assertThat(s.unknownDestinations()).containsOnlyKeys("ratings.bookinfo.svc.cluster.local");
  }

  private TrafficStats.Snapshot measureGenerated() {
    simulator.resetStats();
    await().atMost(PATIENCE).until(() -> simulator.stats().generated() >= 200);
    return simulator.stats();
  }

  @Test
  void statsEndpointShowsCountsAndTheAppliedRoutes() throws Exception {
    await().atMost(PATIENCE).until(() -> simulator.stats().sent() >= 100);
    AdminClient admin = new AdminClient(simulator.adminUri());
    String stats = admin.get("/stats").body();
    assertThat(stats)
        .contains(
            "\"stable\"",
            "\"canary\"",
            "\"primary\"",
            "\"weight\" : 80",
            "\"resourceVersion\" : \"80020\"");

    assertThat(admin.post("/admin/load?rate=0", "").statusCode()).isEqualTo(200);
    assertThat(admin.post("/admin/reset", "").statusCode()).isEqualTo(200);
    // after in-flight requests finish, a paused generator adds nothing
    await()
        .atMost(PATIENCE)
        .until(
            () -> {
              long before = simulator.stats().generated();
              Thread.sleep(200);
              return simulator.stats().generated() == before;
            });
  }
}
