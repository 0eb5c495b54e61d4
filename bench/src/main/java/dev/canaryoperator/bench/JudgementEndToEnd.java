package dev.canaryoperator.bench;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.HistoryEntry;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.e2e.Mesh;
import dev.canaryoperator.e2e.MeshSpec;
import dev.canaryoperator.e2e.MeshStack;
import dev.canaryoperator.e2e.ReleasePlan;
import dev.canaryoperator.e2e.StatusLog;
import dev.canaryoperator.simulator.BackendBehaviour;
import dev.canaryoperator.simulator.TrafficStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The end-to-end subset of the judgement benchmark (bench/judgement-e2e): a few of {@code
 * JudgementBenchmark}'s labelled cases, each released for real on the e2e module's loopback stack,
 * under both methods, with timings compressed from minutes to seconds. Where the pure benchmark
 * draws counters and calls the judge, here every request is a real HTTP call through the simulated
 * mesh, its Istio metrics are scraped by a real Prometheus every second, and the operator (as
 * shipped: {@code java -jar}, one process per mesh) queries Prometheus, judges, and drives the
 * VirtualService.
 *
 * <p>Each release gets a fresh mesh: a namespace with the VirtualService, the simulated traffic at
 * a constant rate (both backends answering as the case says from the first request), and its own
 * operator process. The CanaryRelease has steps 10/25/50% of 20 s, an analysis every 3 s,
 * Threshold's window 9 s, and the API's defaults otherwise (minRequests 100, errorRateRatio 2,
 * minErrorRate 1%, latencyIncrease 10% on the mean, failureLimit 1, onNoData Hold, confidence
 * 0.99). Up to {@code meshes} releases run at once; the tasks are interleaved (release r of every
 * case and method before release r+1), so the load of the machine falls alike on every row.
 *
 * <p>How each figure is measured:
 *
 * <ul>
 *   <li><b>rolled back / promoted</b>: the release's {@code status.phase} reached RolledBack /
 *       Promoted, as the benchmark's informer on the CanaryRelease saw it ({@code StatusLog}).
 *   <li><b>held</b>: neither, 4 times (the 4th argument) the planned time (the sum of the steps'
 *       durations) after the rollout started; the release is then abandoned with its mesh.
 *   <li><b>analyses to rollback</b>: the distinct {@code status.lastAnalysis} (by their {@code
 *       time}) the informer saw from the rollout's start to the rollback, the failing one included:
 *       the operator writes the status after every analysis.
 *   <li><b>seconds to rollback / to promote</b>: from the {@code status.history} entry
 *       RolloutStarted to the first entry in phase RolledBack / Promoted, both stamped by the
 *       operator's clock; the time from {@code kubectl apply} to the rollout's start is not in it.
 *   <li><b>inconclusive analyses</b>: the share of all the row's analyses whose verdict was
 *       Inconclusive (for Threshold: a window under minRequests canary requests).
 *   <li><b>requests/s</b> (below the table): requests the simulator sent to either backend between
 *       the apply and the end of the release, over that time, per mesh; the rate asked for is what
 *       the machine kept up with unless this says otherwise.
 * </ul>
 *
 * <p>Usage: {@code bench/judgement-e2e [releases per case and method, default 4] [meshes at a time,
 * default 4] [requests/s per mesh, default 200] [held after this many times the planned time,
 * default 4]}. Progress goes to stderr, the table to stdout; the processes' logs stay under {@code
 * canary.stack.dir} (the launcher: bench/target/judgement-e2e).
 */
public final class JudgementEndToEnd {
  static final int[] WEIGHTS = {10, 25, 50};
  static final Duration STEP = Duration.ofSeconds(20);
  static final Duration INTERVAL = Duration.ofSeconds(3);
  static final Duration WINDOW = Duration.ofSeconds(9);
  static final int DEFAULT_LIMIT_FACTOR = 4;
  static final String RELEASE = "reviews";
  static final Duration POLL = Duration.ofMillis(500);

  /** Log-normal latency around 50 ms: a p99 near 2.7 x the median, as a plausible service. */
  static final double LATENCY_MS = 50;

  static final double LATENCY_SIGMA = 0.5;

  /**
   * One labelled case: how the stable and the canary answer throughout the release.
   *
   * @param slug a short name for the mesh's namespace
   */
  record Case(
      String name,
      String slug,
      boolean regression,
      BackendBehaviour stable,
      BackendBehaviour canary) {}

  enum End {
    RolledBack,
    Promoted,
    Held,
    Error
  }

  /**
   * What one release came to.
   *
   * @param seconds from the rollout's start to the rollback or the promotion; to giving up when
   *     held; null when not known
   * @param verdicts every analysis' verdict, counted
   * @param reason the last analysis' reason sentence (the failing one for a rollback; after its
   *     verdict when held: it may be the Pass that ended the previous step), or the error
   * @param requestsPerSecond the rate the simulator sent while the release ran
   */
  record Outcome(
      Case c,
      AnalysisMethod method,
      String namespace,
      End end,
      int analyses,
      Double seconds,
      Map<Verdict, Integer> verdicts,
      Integer step,
      Integer weight,
      String reason,
      double requestsPerSecond,
      long dropped) {}

  static BackendBehaviour behaviour(double errorRate, double latencyMs) {
    return new BackendBehaviour(errorRate, 503, latencyMs, LATENCY_SIGMA);
  }

  static final List<Case> CASES =
      List.of(
          new Case(
              "1% errors both sides",
              "ok1", false, behaviour(0.01, LATENCY_MS), behaviour(0.01, LATENCY_MS)),
          new Case(
              "5% errors both sides",
              "ok5", false, behaviour(0.05, LATENCY_MS), behaviour(0.05, LATENCY_MS)),
          new Case(
              "2.5x errors (1% vs 2.5%)",
              "err", true, behaviour(0.01, LATENCY_MS), behaviour(0.025, LATENCY_MS)),
          new Case(
              "+20% latency (50 vs 60 ms)",
              "lat", true, behaviour(0.01, LATENCY_MS), behaviour(0.01, LATENCY_MS * 1.2)));

  /**
   * The run's settings, from the command line.
   *
   * @param limitFactor a release still under way this many times the planned time after its start
   *     is held
   */
  record Settings(int runs, int meshes, double rate, int limitFactor) {
    Duration limit() {
      return STEP.multipliedBy((long) WEIGHTS.length * limitFactor);
    }

    String command() {
      return String.format(
          Locale.ROOT, "bench/judgement-e2e %d %d %s %d", runs, meshes, number(rate), limitFactor);
    }
  }

  static ReleasePlan plan() {
    return ReleasePlan.of(STEP, WEIGHTS)
        .interval(INTERVAL)
        .window(WINDOW)
        .minRequests(AnalysisSpec.DEFAULT_MIN_REQUESTS);
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int meshes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : 200;
    int limitFactor = args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_LIMIT_FACTOR;
    if (runs < 1 || meshes < 1 || rate <= 0 || limitFactor < 1 || args.length > 4) {
      System.err.println(
          "usage: bench/judgement-e2e [releases per case and method] [meshes at a time]"
              + " [requests/s per mesh] [held after this many times the planned time]");
      System.exit(2);
    }
    Settings settings = new Settings(runs, meshes, rate, limitFactor);
    if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
      // the processes' chatter goes to a file: the terminal shows the progress
      Path log = Files.createTempFile("canary-judgement-e2e-", ".log");
      System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
    }
    long started = System.nanoTime();
    say("starting kube-apiserver + etcd and Prometheus");
    List<Outcome> outcomes = new ArrayList<>();
    try (MeshStack stack = MeshStack.start()) {
      say(
          "stack ready: Prometheus at "
              + stack.prometheusUrl()
              + ", logs in "
              + stack.workDir()
              + " and "
              + System.getProperty("org.slf4j.simpleLogger.logFile"));
      int total = runs * CASES.size() * AnalysisMethod.values().length;
      AtomicInteger done = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(meshes);
      try {
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          for (Case c : CASES) {
            for (AnalysisMethod method : AnalysisMethod.values()) {
              futures.add(
                  pool.submit(
                      () -> {
                        Outcome o = release(stack, c, method, settings);
                        say(progress(done.incrementAndGet(), total, o));
                        return o;
                      }));
            }
          }
        }
        for (Future<Outcome> f : futures) {
          outcomes.add(f.get());
        }
      } finally {
        pool.shutdownNow();
      }
    }
    double wall = (System.nanoTime() - started) / 1e9;
    System.out.print(report(settings, outcomes, wall));
    System.out.flush();
    System.exit(0);
  }

  /** One release of one case under one method, on a mesh of its own. */
  static Outcome release(MeshStack stack, Case c, AnalysisMethod method, Settings settings) {
    String prefix =
        "bench-" + c.slug() + "-" + method.name().substring(0, 3).toLowerCase(Locale.ROOT);
    Mesh started = null;
    for (int attempt = 1; started == null; attempt++) {
      try {
        started = stack.mesh(new MeshSpec(prefix, settings.rate(), c.stable(), c.canary()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return error(c, method, null, "interrupted");
      } catch (Exception e) {
        if (attempt == 2) {
          return error(c, method, null, "the mesh did not start: " + e);
        }
        say("mesh " + prefix + " did not start (" + e + "); once more");
      }
    }
    Mesh mesh = started;
    try (mesh;
        StatusLog log = mesh.statusLog(RELEASE)) {
      CanaryRelease release = plan().release(RELEASE, stack.prometheusUrl());
      release.getSpec().getAnalysis().setMethod(method);
      TrafficStats.Snapshot before = mesh.simulator().stats();
      Instant applied = Instant.now();
      mesh.apply(release);
      CanaryReleaseStatus latest = null;
      // until the rollout starts, a margin for the operator to see the release
      Instant deadline = applied.plus(settings.limit()).plus(Duration.ofSeconds(30));
      while (Instant.now().isBefore(deadline)) {
        latest = log.latest();
        if (latest != null) {
          Instant start = rolloutStart(log);
          if (start != null) {
            deadline = start.plus(settings.limit());
          }
          Phase phase = latest.getPhase();
          if (phase == Phase.RolledBack
              || phase == Phase.Promoted
              || phase == Phase.Completed
              || phase == Phase.Failed) {
            break;
          }
        }
        Thread.sleep(POLL.toMillis());
      }
      Instant ended = Instant.now();
      TrafficStats.Snapshot after = mesh.simulator().stats();
      double seconds = Duration.between(applied, ended).toMillis() / 1000.0;
      double sent = (after.sent() - before.sent()) / seconds;
      long dropped = after.dropped() - before.dropped();
      if (latest == null) {
        return new Outcome(
            c,
            method,
            mesh.namespace(),
            End.Error,
            0,
            null,
            Map.of(),
            null,
            null,
            "no status within the time limit; operator log: " + mesh.operator().log(),
            sent,
            dropped);
      }
      Phase phase = latest.getPhase();
      End end =
          switch (phase) {
            case RolledBack -> End.RolledBack;
            case Promoted, Completed -> End.Promoted;
            case Failed -> End.Error;
            default -> End.Held;
          };
      List<AnalysisStatus> analyses = log.analyses();
      Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
      analyses.forEach(a -> verdicts.merge(a.getVerdict(), 1, Integer::sum));
      Instant start = rolloutStart(log);
      Instant at =
          switch (end) {
            case RolledBack -> firstIn(latest, Phase.RolledBack);
            case Promoted -> firstIn(latest, Phase.Promoted);
            default -> ended;
          };
      AnalysisStatus last = latest.getLastAnalysis();
      String reason =
          end == End.Error
              ? latest.getMessage()
              : last == null
                  ? "no analysis: " + latest.getMessage()
                  : end == End.Held
                      ? "last analysis " + last.getVerdict() + ": " + last.getReason()
                      : last.getReason();
      return new Outcome(
          c,
          method,
          mesh.namespace(),
          end,
          analyses.size(),
          start == null || at == null ? null : Duration.between(start, at).toMillis() / 1000.0,
          verdicts,
          latest.getCurrentStep(),
          stepWeight(latest.getCurrentStep()),
          reason,
          sent,
          dropped);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(c, method, mesh.namespace(), "interrupted");
    } catch (RuntimeException e) {
      return error(c, method, mesh.namespace(), e.toString());
    }
  }

  static Outcome error(Case c, AnalysisMethod method, String namespace, String why) {
    return new Outcome(
        c, method, namespace, End.Error, 0, null, Map.of(), null, null, why, Double.NaN, 0);
  }

  /**
   * The history's RolloutStarted, else the step start of the first status at step 1 (the history
   * keeps the last 20 entries).
   */
  static Instant rolloutStart(StatusLog log) {
    List<StatusLog.Seen> seen = log.seen();
    if (seen.isEmpty()) {
      return null;
    }
    for (HistoryEntry h : seen.get(seen.size() - 1).status().getHistory()) {
      if ("RolloutStarted".equals(h.getReason()) && h.getTime() != null) {
        return Instant.parse(h.getTime());
      }
    }
    for (StatusLog.Seen s : seen) {
      if (Integer.valueOf(1).equals(s.status().getCurrentStep())
          && s.status().getStepStartedAt() != null) {
        return Instant.parse(s.status().getStepStartedAt());
      }
    }
    return null;
  }

  static Instant firstIn(CanaryReleaseStatus status, Phase phase) {
    return status.getHistory().stream()
        .filter(h -> h.getPhase() == phase && h.getTime() != null)
        .map(h -> Instant.parse(h.getTime()))
        .findFirst()
        .orElse(null);
  }

  static String progress(int done, int total, Outcome o) {
    String what =
        switch (o.end()) {
          case RolledBack ->
              String.format(
                  Locale.ROOT,
                  "rolled back after %d analyses, %s s, at %s%%: %s",
                  o.analyses(),
                  o.seconds() == null ? "?" : number(o.seconds()),
                  o.weight(),
                  o.reason());
          case Promoted ->
              String.format(
                  Locale.ROOT,
                  "promoted after %d analyses, %s s",
                  o.analyses(),
                  o.seconds() == null ? "?" : number(o.seconds()));
          case Held ->
              String.format(
                  Locale.ROOT,
                  "held at step %s (%s%%) after %d analyses: %s",
                  o.step(),
                  o.weight(),
                  o.analyses(),
                  o.reason());
          case Error -> "error: " + o.reason();
        };
    return String.format(
        Locale.ROOT,
        "[%d/%d] %s, %s, %s (%s req/s): %s",
        done,
        total,
        o.c().name(),
        o.method(),
        o.namespace(),
        number(o.requestsPerSecond()),
        what);
  }

  /** The canary's weight at a step (1-based); null before the first. */
  static Integer stepWeight(Integer step) {
    return step == null || step < 1 || step > WEIGHTS.length ? null : WEIGHTS[step - 1];
  }

  static String report(Settings settings, List<Outcome> outcomes, double wall) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%n`%s` - %d releases per case and method, end to end (loopback kube-apiserver,"
                + " Prometheus scraping every 1 s, simulated mesh, one operator process per"
                + " mesh), %d meshes at a time, %s requests/s per mesh; latency log-normal,"
                + " sigma %s; steps %s%%, %d s each; analysis every %d s; Threshold window %d s;"
                + " minRequests %d; Sequential confidence %s; held = neither rolled back nor"
                + " promoted %d s after the rollout started (%dx the planned time)%n%n",
            settings.command(),
            settings.runs(),
            settings.meshes(),
            number(settings.rate()),
            number(LATENCY_SIGMA),
            Arrays.toString(WEIGHTS),
            STEP.toSeconds(),
            INTERVAL.toSeconds(),
            WINDOW.toSeconds(),
            AnalysisSpec.DEFAULT_MIN_REQUESTS,
            AnalysisSpec.DEFAULT_CONFIDENCE,
            settings.limit().toSeconds(),
            settings.limitFactor()));
    out.append(
        "| case | label | method | rolled back | promoted | held | analyses to rollback |"
            + " seconds to rollback | seconds to promote | inconclusive analyses |\n");
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Case c : CASES) {
      for (AnalysisMethod method : AnalysisMethod.values()) {
        List<Outcome> row =
            outcomes.stream()
                .filter(o -> o.c().equals(c) && o.method() == method && o.end() != End.Error)
                .toList();
        Predicate<Outcome> rolledBack = o -> o.end() == End.RolledBack;
        Predicate<Outcome> promoted = o -> o.end() == End.Promoted;
        long all = row.stream().mapToLong(Outcome::analyses).sum();
        long inconclusive =
            row.stream().mapToLong(o -> o.verdicts().getOrDefault(Verdict.Inconclusive, 0)).sum();
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                c.name(),
                c.regression() ? "regression" : "healthy",
                method,
                share(row, rolledBack),
                share(row, promoted),
                share(row, o -> o.end() == End.Held),
                median(row, rolledBack, Outcome::analyses),
                median(row, rolledBack.and(o -> o.seconds() != null), Outcome::seconds),
                median(row, promoted.and(o -> o.seconds() != null), Outcome::seconds),
                all == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * inconclusive / all)));
      }
    }
    out.append("\nmedian (min-max) over the releases concerned\n");
    notes(
        out,
        "Healthy canaries rolled back",
        outcomes,
        o -> !o.c().regression() && o.end() == End.RolledBack);
    notes(
        out, "Regressions promoted", outcomes, o -> o.c().regression() && o.end() == End.Promoted);
    notes(out, "Held at the limit", outcomes, o -> o.end() == End.Held);
    notes(out, "Errors (not counted above)", outcomes, o -> o.end() == End.Error);
    double[] rates =
        outcomes.stream()
            .mapToDouble(Outcome::requestsPerSecond)
            .filter(d -> !Double.isNaN(d))
            .sorted()
            .toArray();
    if (rates.length > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "%nrequests/s sent per mesh while its release ran: median %s (min %s, max %s),"
                  + " asked %s; dropped (backends too slow): %d%n",
              number(rates[rates.length / 2]),
              number(rates[0]),
              number(rates[rates.length - 1]),
              number(settings.rate()),
              outcomes.stream().mapToLong(Outcome::dropped).sum()));
    }
    out.append(String.format(Locale.ROOT, "%n(%.0f s wall time on this machine)%n", wall));
    return out.toString();
  }

  static void notes(
      StringBuilder out, String title, List<Outcome> outcomes, Predicate<Outcome> which) {
    List<Outcome> selected = outcomes.stream().filter(which).toList();
    if (selected.isEmpty()) {
      return;
    }
    out.append(String.format(Locale.ROOT, "%n%s:%n", title));
    for (Outcome o : selected) {
      out.append(
          String.format(
              Locale.ROOT,
              "- %s, %s (%s): step %s (%s%%), %d analyses %s, %s s: %s%n",
              o.c().name(),
              o.method(),
              o.namespace(),
              o.step(),
              o.weight(),
              o.analyses(),
              o.verdicts(),
              o.seconds() == null ? "?" : number(o.seconds()),
              o.reason()));
    }
  }

  static String share(List<Outcome> row, Predicate<Outcome> p) {
    return row.stream().filter(p).count() + "/" + row.size();
  }

  /** Median (min-max) over the outcomes matching p, or "-" when there are none. */
  static String median(List<Outcome> row, Predicate<Outcome> p, ToDoubleFunction<Outcome> f) {
    double[] values = row.stream().filter(p).mapToDouble(f).sorted().toArray();
    if (values.length == 0) {
      return "-";
    }
    String m = number(values[values.length / 2]);
    return values.length == 1
        ? m
        : m + " (" + number(values[0]) + "-" + number(values[values.length - 1]) + ")";
  }

  static String number(double d) {
    if (Double.isNaN(d)) {
      return "?";
    }
    return d == Math.rint(d) || Math.abs(d) >= 100
        ? String.format(Locale.ROOT, "%.0f", d)
        : String.format(Locale.ROOT, "%.1f", d);
  }

  static synchronized void say(String line) {
    System.err.println(line);
    System.err.flush();
  }

  private JudgementEndToEnd() {}
}
