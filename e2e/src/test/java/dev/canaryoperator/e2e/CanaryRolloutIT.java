package dev.canaryoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.simulator.BackendBehaviour;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator, as its own process, driving a VirtualService on a real kube-apiserver while a real
 * Prometheus scrapes the simulated mesh that follows that VirtualService. One API server and one
 * Prometheus for the class; every test has its own namespace, traffic and operator process.
 *
 * <p>Timings are seconds instead of minutes; assertions are about order, steps and status
 * timestamps, never about how fast something ran.
 */
class CanaryRolloutIT extends MeshStackTest {
  private static final String RELEASE = "reviews";

  /**
   * The reconciler starts an analysis and picks its result up at its next reconcile, one second
   * later (CanaryReleaseReconciler.ANALYSIS_POLL); lastAnalysis.time and history times are that
   * pick-up time, so a query ran about this long before the time the status shows.
   */
  private static final Duration RESULT_POLL = Duration.ofSeconds(1);

  @Test
  void healthyCanaryIsPromotedThroughEveryStepWithTrafficFollowingTheWeights() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("promote"));
    // At 100% the stable gets no traffic. The 100% step outlasts the 10 s window twice over, so
    // its later analyses see no stable traffic now and must compare with the stable's last window.
    ReleasePlan plan =
        ReleasePlan.of(Duration.ofSeconds(10), 5, 10, 25, 50, 100)
            .stepDuration(100, Duration.ofSeconds(25));

    try (SplitRecorder split = SplitRecorder.start(mesh.simulator(), Mesh.CANARY_HOST)) {
      start(plan);
      await("Promoted")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .failFast("rolled back", () -> phase() == Phase.RolledBack || phase() == Phase.Failed)
          .until(() -> phase() == Phase.Promoted);

      List<SplitRecorder.Segment> segments = split.segments();
      assertThat(segments)
          .extracting(SplitRecorder.Segment::weight)
          .containsExactly(0, 5, 10, 25, 50, 100);
      // the first segment is the time before the release, as long as the operator took to start it
      for (SplitRecorder.Segment s : segments.subList(1, segments.size())) {
        double expected = s.weight() / 100.0;
        // binomial noise (3.5 sigma) plus the 100 ms sampling edges
        double tolerance = 3.5 * Math.sqrt(expected * (1 - expected) / s.sent()) + 0.02;
        assertThat(s.sent()).as("requests at %d%%", s.weight()).isGreaterThan(100);
        assertThat(s.canaryShare())
            .as("canary share at %d%% (%s)", s.weight(), s)
            .isCloseTo(expected, within(tolerance));
      }
    }

    CanaryReleaseStatus last = status.latest();
    assertThat(last.getCanaryWeight()).isEqualTo(100);
    assertThat(trafficChanges(last))
        .extracting(HistoryEntry::getReason)
        .containsExactly(
            "RolloutStarted",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "StepAdvanced",
            "Promoted");
    assertThat(trafficChanges(last))
        .extracting(HistoryEntry::getCanaryWeight)
        .containsExactly(5, 10, 25, 50, 100, 100);
    assertThat(status.analyses())
        .extracting(AnalysisStatus::getVerdict)
        .doesNotContain(Verdict.Fail);
    awaitCanaryWeight(100);
    String labels = "name=\"reviews\",namespace=\"" + mesh.namespace() + "\"";
    assertThat(operatorMetrics())
        .as("the operator's own /metrics")
        .contains("canary_release_canary_weight{" + labels + "} 100")
        .containsPattern(
            "canary_release_phase\\{" + Pattern.quote(labels) + ",phase=\"Promoted\"\\} 1")
        .containsPattern(
            "canary_release_analyses_total\\{"
                + Pattern.quote(labels)
                + ",verdict=\"Pass\"\\} [1-9]");
  }

  private String operatorMetrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(mesh.operator().metricsUri()).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void canaryWithThreeTimesTheStableErrorRateIsRolledBackWithinTwoAnalyses() throws Exception {
    // 15% errors on both sides: a healthy canary is judged against 2 x 15% = 30%, a faulty one at
    // 45%
    mesh = stack.mesh(MeshSpec.healthy("errors").withErrorRate(0.15));
    Duration interval = Duration.ofSeconds(5);
    // window = 2 intervals: the third analysis after the fault sees nothing else, so at most two
    // further analyses can pass on a window that is still partly healthy
    ReleasePlan plan =
        ReleasePlan.of(Duration.ofMinutes(5), 50, 100)
            .interval(interval)
            .window(interval.multipliedBy(2))
            .minRequests(50);
    start(plan);
    awaitVerdict(Verdict.Pass);

    Instant fault = Instant.now();
    BackendBehaviour healthy = mesh.behaviour(Mesh.CANARY);
    mesh.behaviour(
        Mesh.CANARY,
        new BackendBehaviour(
            0.45, healthy.errorStatus(), healthy.latencyMs(), healthy.latencySigma()));
    await("RolledBack")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .failFast("promoted", () -> phase() == Phase.Promoted)
        .until(() -> phase() == Phase.RolledBack);

    CanaryReleaseStatus last = status.latest();
    assertThat(last.getCanaryWeight()).isZero();
    awaitCanaryWeight(0);

    // when Prometheus first held a sample taken after the fault
    Instant visible =
        stack
            .prometheus()
            .scrapeTimes(
                mesh.scrapeTarget(), fault.plus(Duration.ofSeconds(5)), Duration.ofSeconds(5))
            .stream()
            .filter(t -> t.isAfter(fault))
            .findFirst()
            .orElseThrow();
    List<AnalysisStatus> analyses = status.analyses();
    int firstWithFault = indexOfFirst(analyses, a -> !queryTime(a).isBefore(visible));
    AnalysisStatus failed = analyses.get(analyses.size() - 1);
    assertThat(failed.getVerdict()).isEqualTo(Verdict.Fail);
    assertThat(analyses.size() - 1 - firstWithFault)
        .as(
            "analyses after the first one with the fault in its window, until the failing one: %s",
            analyses)
        .isLessThanOrEqualTo(2);
    Instant rolledBackAt = Instant.parse(historyEntry(last, "RolledBack").getTime());
    // the operator's analyses run interval + RESULT_POLL apart (see RESULT_POLL)
    Duration twoIntervals = interval.plus(RESULT_POLL).multipliedBy(2).plusMillis(500);
    assertThat(
            Duration.between(Instant.parse(analyses.get(firstWithFault).getTime()), rolledBackAt))
        .isLessThanOrEqualTo(twoIntervals);

    // the reason names the measured rates, as status.lastAnalysis holds them
    Matcher m =
        Pattern.compile(
                "canary 5xx ([0-9.]+)% vs stable ([0-9.]+)%: [0-9.]+x > 2\\.0x, and worse than the"
                    + " stable with 99% confidence \\(at least [0-9.]+x\\)")
            .matcher(failed.getReason());
    assertThat(m.find()).as("reason: %s", failed.getReason()).isTrue();
    assertThat(Double.parseDouble(m.group(1)) / 100)
        .isCloseTo(failed.getCanary().getErrorRate(), within(0.001));
    assertThat(Double.parseDouble(m.group(2)) / 100)
        .isCloseTo(failed.getStable().getErrorRate(), within(0.001));
    assertThat(failed.getCanary().getErrorRate())
        .isGreaterThan(2 * failed.getStable().getErrorRate());
    assertThat(historyEntry(last, "RolledBack").getMessage()).contains(failed.getReason());
  }

  @Test
  void canaryThirtyPercentSlowerIsRolledBack() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("latency"));
    start(ReleasePlan.of(Duration.ofMinutes(5), 50, 100));
    awaitVerdict(Verdict.Pass);

    BackendBehaviour healthy = mesh.behaviour(Mesh.CANARY);
    mesh.behaviour(
        Mesh.CANARY,
        new BackendBehaviour(
            healthy.errorRate(),
            healthy.errorStatus(),
            healthy.latencyMs() * 1.3,
            healthy.latencySigma()));
    await("RolledBack")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .failFast("promoted", () -> phase() == Phase.Promoted)
        .until(() -> phase() == Phase.RolledBack);

    CanaryReleaseStatus last = status.latest();
    assertThat(last.getCanaryWeight()).isZero();
    awaitCanaryWeight(0);
    AnalysisStatus failed = last.getLastAnalysis();
    assertThat(failed.getVerdict()).isEqualTo(Verdict.Fail);
    assertThat(failed.getReason()).contains("mean latency");
    assertThat(failed.getCanary().getLatencyMs())
        .isGreaterThan(failed.getStable().getLatencyMs() * 1.1);
  }

  @Test
  void tooLittleTrafficHoldsTheFirstStep() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("little-traffic").withRate(2));
    // steps of 4 s: with passing analyses it would be at step 3 or later by the time we look
    start(ReleasePlan.of(Duration.ofSeconds(4), 5, 10, 25, 50, 100).minRequests(1000));

    await("four analyses")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> status.analyses().size() >= 4);

    // no canary request yet is no data (Inconclusive); a few are the start of the evidence
    // (Collecting): neither moves the release
    assertThat(status.analyses())
        .allSatisfy(
            a -> {
              assertThat(a.getVerdict()).isIn(Verdict.Inconclusive, Verdict.Collecting);
              assertThat(a.getReason()).contains("fewer than the 1000 needed to judge");
            });
    assertThat(status.seen()).extracting(s -> s.status().getCurrentStep()).containsOnly(1);
    assertThat(status.seen()).extracting(s -> s.status().getCanaryWeight()).containsOnly(5);
    assertThat(status.seen())
        .extracting(s -> s.status().getPhase())
        .containsOnly(Phase.Progressing);
    assertThat(Mesh.canaryWeight(mesh.virtualService())).isEqualTo(5);
  }

  @Test
  void prometheusOutageHoldsTheStepAndTheRolloutContinuesWhenItIsBack() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("prometheus-outage"));
    start(ReleasePlan.of(Duration.ofSeconds(10), 20, 50));
    awaitVerdict(Verdict.Pass);

    stack.prometheus().stop();
    int seenBefore;
    try {
      await("an analysis naming Prometheus")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  last(status.analyses())
                      .getReason()
                      .contains("Prometheus at " + stack.prometheusUrl()));
      int analysesAtOutage = status.analyses().size();
      seenBefore = status.seen().size() - 1;
      CanaryReleaseStatus held = status.latest();
      // three more rounds: long past the 10 s step had they passed
      await("three more analyses")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .failFast("promoted", () -> phase() == Phase.Promoted)
          .until(() -> status.analyses().size() >= analysesAtOutage + 3);

      List<StatusLog.Seen> during = status.seen().subList(seenBefore, status.seen().size());
      assertThat(during)
          .extracting(s -> s.status().getCurrentStep())
          .containsOnly(held.getCurrentStep());
      assertThat(during)
          .extracting(s -> s.status().getCanaryWeight())
          .containsOnly(held.getCanaryWeight());
      assertThat(during).extracting(s -> s.status().getPhase()).containsOnly(Phase.Progressing);
      assertThat(status.analyses().subList(analysesAtOutage - 1, status.analyses().size()))
          .allSatisfy(
              a -> {
                assertThat(a.getVerdict()).isEqualTo(Verdict.Inconclusive);
                assertThat(a.getReason())
                    .contains("Prometheus at " + stack.prometheusUrl() + " is unreachable");
              });
    } finally {
      stack.prometheus().start();
    }

    await("Promoted after the outage")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .failFast("rolled back", () -> phase() == Phase.RolledBack)
        .until(() -> phase() == Phase.Promoted);
    assertThat(status.seen().subList(seenBefore, status.seen().size()))
        .extracting(s -> s.status().getLastAnalysis().getVerdict())
        .contains(Verdict.Pass);
  }

  @Test
  void operatorKilledMidRolloutContinuesAtTheSameStep() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("operator-restart"));
    start(ReleasePlan.of(Duration.ofSeconds(6), 20, 50).stepDuration(20, Duration.ofSeconds(30)));
    await("a passed analysis at step 1")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                status.latest() != null
                    && status.latest().getStepAnalysesPassed() != null
                    && status.latest().getStepAnalysesPassed() >= 1);
    CanaryReleaseStatus before = status.latest();
    assertThat(before.getCurrentStep()).isEqualTo(1);

    long pid = mesh.operator().pid();
    mesh.operator().kill();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    int seenWhileDead = status.seen().size();
    // nobody else writes the status: it stays as the killed operator left it
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> status.seen().size() == seenWhileDead);

    Instant restarted = Instant.now();
    mesh.operator().start();
    await("an analysis by the new operator process")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> Instant.parse(status.latest().getLastAnalysis().getTime()).isAfter(restarted));

    CanaryReleaseStatus after = status.latest();
    assertThat(after.getRolloutId()).isEqualTo(before.getRolloutId());
    assertThat(after.getCurrentStep()).isEqualTo(before.getCurrentStep());
    assertThat(after.getStepStartedAt()).isEqualTo(before.getStepStartedAt());
    assertThat(after.getLastAnalysis().getVerdict()).isEqualTo(Verdict.Pass);
    assertThat(after.getStepAnalysesPassed()).isGreaterThan(before.getStepAnalysesPassed());
    assertThat(after.getHistory())
        .usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(before.getHistory());

    await("Promoted")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .failFast("rolled back", () -> phase() == Phase.RolledBack)
        .until(() -> phase() == Phase.Promoted);
    assertThat(trafficChanges(status.latest()))
        .extracting(HistoryEntry::getReason)
        .containsExactly("RolloutStarted", "StepAdvanced", "Promoted");
    assertThat(mesh.operator().starts()).isEqualTo(2);
  }

  private void start(ReleasePlan plan) {
    status = mesh.statusLog(RELEASE);
    mesh.apply(plan.release(RELEASE, stack.prometheusUrl()));
  }

  private void awaitVerdict(Verdict verdict) {
    await("a " + verdict + " analysis")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> status.analyses().stream().anyMatch(a -> a.getVerdict() == verdict));
  }

  /**
   * The status records a decision before the VirtualService carries it (docs/crash-safety.md): the
   * write follows within moments.
   */
  private void awaitCanaryWeight(int weight) {
    await("canary weight " + weight + " in the VirtualService")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Mesh.canaryWeight(mesh.virtualService()) == weight);
  }

  private Phase phase() {
    CanaryReleaseStatus latest = status.latest();
    return latest == null ? null : latest.getPhase();
  }

  /** When the query behind an analysis ran (see RESULT_POLL). */
  private static Instant queryTime(AnalysisStatus analysis) {
    return Instant.parse(analysis.getTime()).minus(RESULT_POLL);
  }

  private static <T> int indexOfFirst(List<T> list, java.util.function.Predicate<T> test) {
    for (int i = 0; i < list.size(); i++) {
      if (test.test(list.get(i))) {
        return i;
      }
    }
    throw new AssertionError("none of " + list + " matches");
  }

  private static AnalysisStatus last(List<AnalysisStatus> analyses) {
    return analyses.isEmpty() ? new AnalysisStatus() : analyses.get(analyses.size() - 1);
  }

  /**
   * History without AnalysisInconclusive entries: an analysis early in a step may find too few
   * canary requests yet; it holds the step and is recorded, but moves no traffic.
   */
  private static List<HistoryEntry> trafficChanges(CanaryReleaseStatus status) {
    return status.getHistory().stream()
        .filter(h -> !"AnalysisInconclusive".equals(h.getReason()))
        .toList();
  }

  private static HistoryEntry historyEntry(CanaryReleaseStatus status, String reason) {
    return status.getHistory().stream()
        .filter(h -> reason.equals(h.getReason()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + reason + " in history " + status.getHistory()));
  }
}
