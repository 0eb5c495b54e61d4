package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.statistics.Histogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The labelled judgement benchmark (bench/judgement): simulated releases of healthy and regressed
 * canaries, with the noise real services have, walked through their steps by the pure {@link Judge}
 * under both methods, thousands of times per case. No servers: the traffic is drawn request by
 * request into the same counters Prometheus would hold (requests, 5xx, latency histogram with
 * Istio's buckets, latency sum), and each analysis reads them over its span exactly as the
 * operator's queries do.
 *
 * <p>The rollout follows the operator's rules: an analysis every interval from the step's start;
 * Fail rolls back (failureLimit 1); Inconclusive holds and restarts the step's clock; a step ends
 * when its duration has passed and the last analysis passed; Collecting (Sequential) keeps the step
 * going. Threshold judges the window before each analysis; Sequential the step so far.
 */
public final class JudgementBenchmark {
  /** Istio's default buckets for istio_request_duration_milliseconds. */
  static final double[] ISTIO_BUCKETS = {
    0.5,
    1,
    5,
    10,
    25,
    50,
    100,
    250,
    500,
    1000,
    2500,
    5000,
    10000,
    30000,
    60000,
    300000,
    600000,
    1800000,
    3600000,
    Double.POSITIVE_INFINITY
  };

  static final int[] WEIGHTS = {5, 10, 25, 50};
  static final int TICK_SECONDS = 5;

  /**
   * How a release is rolled out: analysis interval, Threshold's window, each step's duration, and
   * the minimum of canary requests before a judgement.
   */
  record Profile(
      String name, int intervalSeconds, int windowSeconds, int stepSeconds, int minRequests) {}

  /** One side's behaviour over time. */
  interface Behaviour {
    /** The 5xx probability of a request at second t. */
    double errorRate(int t);

    /** The latency multiplier at second t (1 = the stable's distribution). */
    double slowdown(int t);
  }

  /**
   * One labelled case.
   *
   * @param rps requests per second to the service at second t (both sides together)
   */
  record Case(
      String name,
      boolean regression,
      java.util.function.IntToDoubleFunction rps,
      Behaviour stable,
      Behaviour canary) {}

  /** What one simulated release came to. */
  record Outcome(
      boolean rolledBack, boolean promoted, int seconds, long canaryRequests, int looks) {}

  /** Cumulative counters of one side, one entry per tick, as Prometheus would hold them. */
  static final class Counters {
    final double[] requests;
    final double[] errors;
    final double[] sum;
    final double[][] buckets;

    Counters(int ticks) {
      requests = new double[ticks + 1];
      errors = new double[ticks + 1];
      sum = new double[ticks + 1];
      buckets = new double[ticks + 1][];
      buckets[0] = new double[ISTIO_BUCKETS.length];
    }

    void tick(int i, int n, int e, double latencySum, double[] bucketDelta) {
      requests[i] = requests[i - 1] + n;
      errors[i] = errors[i - 1] + e;
      sum[i] = sum[i - 1] + latencySum;
      double[] b = buckets[i - 1].clone();
      for (int k = 0; k < b.length; k++) {
        b[k] += bucketDelta[k];
      }
      buckets[i] = b;
    }

    /** What was counted between two ticks, read the way the operator's queries read it. */
    SideReadings between(int from, int to) {
      double[] cumulative = new double[ISTIO_BUCKETS.length];
      for (int k = 0; k < cumulative.length; k++) {
        cumulative[k] = buckets[to][k] - buckets[from][k];
      }
      return new SideReadings(
          Reading.of(requests[to] - requests[from]),
          Reading.of(errors[to] - errors[from]),
          LatencyReading.of(new Histogram(ISTIO_BUCKETS, cumulative, sum[to] - sum[from])));
    }
  }

  /** Latency of one request in ms: log-normal around 50 ms, 1% of requests 10x slower. */
  static double latency(SplittableRandom random, double slowdown) {
    double base = 50 * Math.exp(0.5 * gaussian(random));
    if (random.nextDouble() < 0.01) {
      base *= 10;
    }
    return base * slowdown;
  }

  static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  static int poisson(SplittableRandom random, double mean) {
    if (mean > 50) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
    }
    double l = Math.exp(-mean);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= random.nextDouble();
    } while (p > l);
    return k - 1;
  }

  /** Draws one tick of one side's traffic into its counters. */
  static void draw(
      SplittableRandom random, Counters counters, int tick, double rate, Behaviour b, int t) {
    int n = poisson(random, rate * TICK_SECONDS);
    int e = 0;
    double sum = 0;
    double[] delta = new double[ISTIO_BUCKETS.length];
    double p = b.errorRate(t);
    double slowdown = b.slowdown(t);
    for (int r = 0; r < n; r++) {
      if (random.nextDouble() < p) {
        e++;
      }
      double ms = latency(random, slowdown);
      sum += ms;
      int k = Arrays.binarySearch(ISTIO_BUCKETS, ms);
      int first = k >= 0 ? k : -k - 1;
      for (int j = first; j < delta.length; j++) {
        delta[j]++;
      }
    }
    counters.tick(tick, n, e, sum, delta);
  }

  /** One release of one case under one method, from its first step to rollback or promotion. */
  static Outcome release(Case c, Profile p, Thresholds t, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int planned = WEIGHTS.length * p.stepSeconds();
    int horizon = 4 * planned;
    int ticks = horizon / TICK_SECONDS;
    Counters stable = new Counters(ticks);
    Counters canary = new Counters(ticks);
    int step = 0;
    int stepStart = 0;
    int lastAnalysis = 0;
    int looks = 0;
    Verdict last = null;
    for (int i = 1; i <= ticks; i++) {
      int now = i * TICK_SECONDS;
      int second = now - TICK_SECONDS;
      double share = WEIGHTS[step] / 100.0;
      double rps = c.rps().applyAsDouble(second);
      draw(random, stable, i, rps * (1 - share), c.stable(), second);
      draw(random, canary, i, rps * share, c.canary(), second);
      if (now - Math.max(stepStart, lastAnalysis) < p.intervalSeconds()) {
        continue;
      }
      lastAnalysis = now;
      looks++;
      int from =
          t.method() == AnalysisMethod.Sequential
              ? stepStart / TICK_SECONDS
              : Math.max(0, (now - p.windowSeconds()) / TICK_SECONDS);
      AnalysisResult result =
          Judge.judge(t, canary.between(from, i), stable.between(from, i), List.of());
      last = result.verdict();
      if (last == Verdict.Fail) {
        return new Outcome(true, false, now, (long) canary.requests[i], looks);
      }
      if (last == Verdict.Inconclusive) {
        stepStart = now;
        continue;
      }
      if (last == Verdict.Pass && now - stepStart >= p.stepSeconds()) {
        step++;
        stepStart = now;
        if (step == WEIGHTS.length) {
          return new Outcome(false, true, now, (long) canary.requests[i], looks);
        }
      }
    }
    return new Outcome(false, false, horizon, (long) canary.requests[ticks], looks);
  }

  static Behaviour steady(double errorRate, double slowdown) {
    return new Behaviour() {
      @Override
      public double errorRate(int t) {
        return errorRate;
      }

      @Override
      public double slowdown(int t) {
        return slowdown;
      }
    };
  }

  /** 30 s of 30% errors every 10 minutes (a dependency hiccup), on top of a steady rate. */
  static Behaviour bursty(double errorRate, double slowdown, int offsetSeconds) {
    return new Behaviour() {
      @Override
      public double errorRate(int t) {
        return (t + offsetSeconds) % 600 < 30 ? 0.30 : errorRate;
      }

      @Override
      public double slowdown(int t) {
        return slowdown;
      }
    };
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("20 rps, 1% errors", false, t -> 20, steady(0.01, 1), steady(0.01, 1)));
    cases.add(
        new Case(
            "20 rps, 1%, bursts on both sides",
            false, t -> 20, bursty(0.01, 1, 240), bursty(0.01, 1, 240)));
    cases.add(
        new Case(
            "20 rps, 1%, bursts on the stable only",
            false, t -> 20, bursty(0.01, 1, 240), steady(0.01, 1)));
    cases.add(
        new Case(
            "20 rps, 0.1% errors (under the floor)",
            false, t -> 20, steady(0.001, 1), steady(0.001, 1)));
    cases.add(
        new Case(
            "traffic grows 20 to 80 rps, 1%",
            false, t -> 20 + 60.0 * Math.min(1, t / 2400.0), steady(0.01, 1), steady(0.01, 1)));
    cases.add(new Case("100 rps, 1% errors", false, t -> 100, steady(0.01, 1), steady(0.01, 1)));
    cases.add(
        new Case(
            "2 rps, 1% errors (low traffic)", false, t -> 2, steady(0.01, 1), steady(0.01, 1)));
    cases.add(new Case("20 rps, 2.5x errors", true, t -> 20, steady(0.01, 1), steady(0.025, 1)));
    cases.add(new Case("20 rps, 5x errors", true, t -> 20, steady(0.01, 1), steady(0.05, 1)));
    cases.add(
        new Case(
            "20 rps, 0.1% vs 3% errors (over the floor)",
            true, t -> 20, steady(0.001, 1), steady(0.03, 1)));
    cases.add(new Case("20 rps, +20% latency", true, t -> 20, steady(0.01, 1), steady(0.01, 1.2)));
    cases.add(new Case("20 rps, +50% latency", true, t -> 20, steady(0.01, 1), steady(0.01, 1.5)));
    cases.add(new Case("100 rps, 2.5x errors", true, t -> 100, steady(0.01, 1), steady(0.025, 1)));
    cases.add(
        new Case("2 rps, 5x errors (low traffic)", true, t -> 2, steady(0.01, 1), steady(0.05, 1)));
    return cases;
  }

  record Row(Case c, AnalysisMethod method, List<Outcome> outcomes) {
    long count(java.util.function.Predicate<Outcome> p) {
      return outcomes.stream().filter(p).count();
    }

    String percent(java.util.function.Predicate<Outcome> p) {
      return String.format(Locale.ROOT, "%.1f%%", 100.0 * count(p) / outcomes.size());
    }

    /** Median over the releases matching p, or "-" when there are none. */
    String median(
        java.util.function.Predicate<Outcome> p, java.util.function.ToDoubleFunction<Outcome> f) {
      double[] values = outcomes.stream().filter(p).mapToDouble(f).sorted().toArray();
      if (values.length == 0) {
        return "-";
      }
      double m = values[values.length / 2];
      return m >= 100
          ? String.format(Locale.ROOT, "%.0f", m)
          : String.format(Locale.ROOT, "%.1f", m);
    }
  }

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    String profileName = args.length > 1 ? args[1] : "standard";
    double confidence =
        args.length > 2 ? Double.parseDouble(args[2]) : AnalysisSpec.DEFAULT_CONFIDENCE;
    Profile profile =
        switch (profileName) {
          // a fast rollout: a 20 s window holds ~40 canary requests at 10% of 20 rps, so a lower
          // minimum lets Threshold judge at all
          case "fast" -> new Profile("fast", 10, 20, 120, 20);
          case "default" ->
              new Profile("default", 60, 300, 1800, AnalysisSpec.DEFAULT_MIN_REQUESTS);
          default -> new Profile("standard", 60, 300, 600, AnalysisSpec.DEFAULT_MIN_REQUESTS);
        };
    System.out.printf(
        Locale.ROOT,
        "%n`bench/judgement %d %s %s` - %d releases per case and method; steps %s%%, %ds each;"
            + " analysis every %ds; Threshold window %ds; minRequests %d; Sequential confidence"
            + " %s%n%n",
        runs,
        profile.name(),
        confidence,
        runs,
        Arrays.toString(WEIGHTS),
        profile.stepSeconds(),
        profile.intervalSeconds(),
        profile.windowSeconds(),
        profile.minRequests(),
        confidence);
    System.out.println(
        "| case | label | method | rolled back | promoted | still held at "
            + "4x the planned time | median looks to rollback | median canary requests to"
            + " rollback | median minutes to promote |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    long started = System.nanoTime();
    for (Case c : cases()) {
      for (AnalysisMethod method : AnalysisMethod.values()) {
        Thresholds t =
            new Thresholds(
                method,
                confidence,
                profile.minRequests(),
                AnalysisSpec.DEFAULT_ERROR_RATE_RATIO,
                AnalysisSpec.DEFAULT_MIN_ERROR_RATE,
                AnalysisSpec.DEFAULT_LATENCY_INCREASE,
                LatencyMeasure.Mean,
                AnalysisSpec.DEFAULT_LATENCY_QUANTILE,
                "in the span");
        List<Outcome> outcomes =
            IntStream.range(0, runs)
                .parallel()
                .mapToObj(i -> release(c, profile, t, 7919L * i + c.name().hashCode()))
                .toList();
        Row row = new Row(c, method, outcomes);
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            c.name(),
            c.regression() ? "regression" : "healthy",
            method,
            row.percent(Outcome::rolledBack),
            row.percent(Outcome::promoted),
            row.percent(o -> !o.rolledBack() && !o.promoted()),
            row.median(Outcome::rolledBack, Outcome::looks),
            row.median(Outcome::rolledBack, Outcome::canaryRequests),
            row.median(Outcome::promoted, o -> o.seconds() / 60.0));
      }
    }
    System.out.printf(
        Locale.ROOT, "%n(%.0f s on this machine)%n", (System.nanoTime() - started) / 1e9);
  }
}
