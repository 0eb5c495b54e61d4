package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisMethod;
import dev.canaryoperator.api.LatencyMeasure;
import dev.canaryoperator.api.MetricCheck;
import dev.canaryoperator.api.Verdict;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides Pass, Fail, Collecting or Inconclusive from numbers already read; no I/O, no clock.
 *
 * <p>The rules (design.md, "Decision rules"; README, "How a verdict is reached"):
 *
 * <ul>
 *   <li>Inconclusive when a number needed is missing, the stable served nothing (nothing to compare
 *       with), or, under Threshold, the canary served fewer than minRequests requests.
 *   <li>The rule: the canary breaks it when its error rate &gt; max(errorRateRatio x the stable's,
 *       minErrorRate), or its latency &gt; the stable's x (1 + latencyIncrease).
 *   <li>Threshold: Fail when the span's numbers break the rule (strictly: exactly 2x passes).
 *   <li>Sequential ({@link EvidenceRules}): Fail when they break it and the confidence interval
 *       shows the canary worse than the stable; Pass when the interval rules a breach out;
 *       Collecting otherwise, and while the canary has served fewer than minRequests.
 *   <li>Custom checks, under both methods: Fail when canary &gt; maxRatio x stable, or outside
 *       [min, max].
 * </ul>
 *
 * <p>Overall, Fail beats Inconclusive beats Collecting beats Pass: one check that definitely failed
 * rolls back even when another could not be judged, and a release passes only when every check
 * passed.
 */
final class Judge {
  /**
   * Relative tolerance of every threshold comparison. The numbers come out of floating-point
   * arithmetic (divisions, 2.0 x 0.07 is not exactly 0.14), so a canary at exactly the threshold
   * can come out a few ulps above it; 1e-9 of the threshold absorbs that and is far below any
   * difference that matters for a release.
   */
  static final double EPSILON = 1e-9;

  private Judge() {}

  private record Outcome(Verdict verdict, String sentence, Evidence evidence) {
    Outcome(Verdict verdict, String sentence) {
      this(verdict, sentence, null);
    }
  }

  static AnalysisResult judge(
      Thresholds t, SideReadings canary, SideReadings stable, List<CheckResult> checks) {
    List<Outcome> outcomes = new ArrayList<>(builtIn(t, canary, stable));
    checks.forEach(c -> outcomes.add(new Outcome(c.verdict(), c.reason())));
    List<String> failed = sentences(outcomes, Verdict.Fail);
    List<String> inconclusive = sentences(outcomes, Verdict.Inconclusive);
    List<String> collecting = sentences(outcomes, Verdict.Collecting);
    Verdict verdict;
    String reason;
    if (!failed.isEmpty()) {
      verdict = Verdict.Fail;
      reason =
          String.join("; ", failed)
              + (inconclusive.isEmpty() ? "" : "; not judged: " + String.join("; ", inconclusive));
    } else if (!inconclusive.isEmpty()) {
      verdict = Verdict.Inconclusive;
      reason = String.join("; ", inconclusive);
    } else if (!collecting.isEmpty()) {
      verdict = Verdict.Collecting;
      reason = "collecting evidence: " + String.join("; ", collecting);
    } else {
      verdict = Verdict.Pass;
      reason = String.join("; ", sentences(outcomes, Verdict.Pass));
    }
    List<Evidence> evidence =
        outcomes.stream().map(Outcome::evidence).filter(e -> e != null).toList();
    return new AnalysisResult(
        verdict, canary.measurement(t), stable.measurement(t), reason, checks, evidence);
  }

  private static List<Outcome> builtIn(Thresholds t, SideReadings canary, SideReadings stable) {
    if (!canary.requests().present()) {
      return List.of(
          inconclusive("canary request count unavailable: " + canary.requests().problem()));
    }
    // counters count whole requests; a fractional reading is rounded down, never up
    long canaryRequests = (long) Math.floor(canary.requests().value());
    boolean sequential = t.method() == AnalysisMethod.Sequential;
    if (canaryRequests < t.minRequests() && !(sequential && canaryRequests > 0)) {
      return List.of(inconclusive(tooFew(t, canaryRequests)));
    }
    if (!stable.requests().present()) {
      return List.of(
          inconclusive("stable request count unavailable: " + stable.requests().problem()));
    }
    if (stable.requests().value() <= 0) {
      return List.of(
          inconclusive(
              "stable served no requests " + t.span() + ": nothing to compare the canary with"));
    }
    if (canaryRequests < t.minRequests()) {
      return List.of(
          new Outcome(
              Verdict.Collecting,
              tooFew(t, canaryRequests) + ": " + (t.minRequests() - canaryRequests) + " more"));
    }
    return sequential
        ? List.of(evidenceOnErrors(t, canary, stable), evidenceOnLatency(t, canary, stable))
        : List.of(
            errorRate(t, canary.errorRate(), stable.errorRate()),
            latency(t, canary.latency().value(t), stable.latency().value(t)));
  }

  private static String tooFew(Thresholds t, long canaryRequests) {
    return "canary served "
        + canaryRequests
        + " requests "
        + t.span()
        + ", fewer than the "
        + t.minRequests()
        + " needed to judge";
  }

  private static Outcome evidenceOnErrors(Thresholds t, SideReadings canary, SideReadings stable) {
    if (!canary.errors().present()) {
      return inconclusive("canary 5xx count unavailable: " + canary.errors().problem());
    }
    if (!stable.errors().present()) {
      return inconclusive("stable 5xx count unavailable: " + stable.errors().problem());
    }
    double canaryRequests = canary.requests().value();
    double stableRequests = stable.requests().value();
    EvidenceRules.Judgement j =
        EvidenceRules.errors(
            t,
            clamp(canary.errors().value(), canaryRequests),
            canaryRequests,
            clamp(stable.errors().value(), stableRequests),
            stableRequests);
    return new Outcome(j.verdict(), j.sentence(), j.evidence());
  }

  private static Outcome evidenceOnLatency(Thresholds t, SideReadings canary, SideReadings stable) {
    String what = t.latencyName() + " latency";
    Reading c = canary.latency().value(t);
    Reading s = stable.latency().value(t);
    if (!c.present()) {
      return inconclusive("canary " + what + " unavailable: " + c.problem());
    }
    if (!s.present()) {
      return inconclusive("stable " + what + " unavailable: " + s.problem());
    }
    EvidenceRules.Judgement j =
        t.latencyMeasure() == LatencyMeasure.Quantile
            ? EvidenceRules.quantileLatency(
                t, canary.latency().histogram(), stable.latency().histogram())
            : EvidenceRules.meanLatency(
                t, canary.latency().histogram(), stable.latency().histogram());
    return new Outcome(j.verdict(), j.sentence(), j.evidence());
  }

  /** Counters read apart can disagree by a scrape: errors never above requests. */
  private static double clamp(double errors, double requests) {
    return Math.max(0, Math.min(errors, requests));
  }

  private static Outcome errorRate(Thresholds t, Reading canary, Reading stable) {
    if (!canary.present()) {
      return inconclusive("canary 5xx rate unavailable: " + canary.problem());
    }
    if (!stable.present()) {
      return inconclusive("stable 5xx rate unavailable: " + stable.problem());
    }
    double c = canary.value();
    double s = stable.value();
    double relative = t.errorRateRatio() * s;
    double limit = Math.max(relative, t.minErrorRate());
    if (exceeds(c, limit)) {
      return relative > t.minErrorRate()
          ? fail(
              "canary 5xx rate "
                  + percent(c)
                  + " > "
                  + factor(t.errorRateRatio())
                  + " x stable "
                  + percent(s)
                  + " (floor "
                  + percent(t.minErrorRate())
                  + ")")
          : fail(
              "canary 5xx rate "
                  + percent(c)
                  + " > the "
                  + percent(t.minErrorRate())
                  + " floor (stable "
                  + percent(s)
                  + ")");
    }
    return pass("5xx " + percent(c) + " vs " + percent(s) + " (limit " + percent(limit) + ")");
  }

  private static Outcome latency(Thresholds t, Reading canary, Reading stable) {
    String what = t.latencyName() + " latency";
    if (!canary.present()) {
      return inconclusive("canary " + what + " unavailable: " + canary.problem());
    }
    if (!stable.present()) {
      return inconclusive("stable " + what + " unavailable: " + stable.problem());
    }
    double c = canary.value();
    double s = stable.value();
    double limit = s * (1 + t.latencyIncrease());
    if (exceeds(c, limit)) {
      return fail(
          "canary "
              + what
              + " "
              + ms(c)
              + " > stable "
              + ms(s)
              + " + "
              + percent(t.latencyIncrease())
              + " ("
              + ms(limit)
              + ")");
    }
    return pass(
        "canary "
            + what
            + " "
            + ms(c)
            + " within "
            + percent(t.latencyIncrease())
            + " of stable "
            + ms(s));
  }

  /**
   * One custom check. {@code stable} is read only for a maxRatio check and may be null otherwise.
   */
  static CheckResult check(MetricCheck check, Reading canary, Reading stable) {
    String name = check.getName();
    Double stableValue = stable == null ? null : stable.value();
    if (!canary.present()) {
      return new CheckResult(
          name,
          Verdict.Inconclusive,
          null,
          stableValue,
          name + ": canary value unavailable: " + canary.problem());
    }
    double c = canary.value();
    List<String> violations = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    if (check.getMaxRatio() != null) {
      if (stable == null || !stable.present()) {
        return new CheckResult(
            name,
            Verdict.Inconclusive,
            c,
            null,
            name
                + ": stable value unavailable: "
                + (stable == null ? "not queried" : stable.problem()));
      }
      String limit = factor(check.getMaxRatio()) + " x stable " + number(stableValue);
      if (exceeds(c, check.getMaxRatio() * stableValue)) {
        violations.add("> " + limit);
      } else {
        kept.add("within " + limit);
      }
    }
    if (check.getMax() != null) {
      if (exceeds(c, check.getMax())) {
        violations.add("> max " + number(check.getMax()));
      } else {
        kept.add("<= max " + number(check.getMax()));
      }
    }
    if (check.getMin() != null) {
      if (below(c, check.getMin())) {
        violations.add("< min " + number(check.getMin()));
      } else {
        kept.add(">= min " + number(check.getMin()));
      }
    }
    Verdict verdict = violations.isEmpty() ? Verdict.Pass : Verdict.Fail;
    String reason =
        name
            + ": canary "
            + number(c)
            + " "
            + String.join(", ", violations.isEmpty() ? kept : violations);
    return new CheckResult(name, verdict, c, stableValue, reason);
  }

  /** A custom check whose query could not be built from the spec. */
  static CheckResult unbuildable(MetricCheck check, String problem) {
    return new CheckResult(
        check.getName(), Verdict.Inconclusive, null, null, check.getName() + ": " + problem);
  }

  static boolean exceeds(double value, double limit) {
    return value > limit + EPSILON * Math.abs(limit);
  }

  static boolean below(double value, double limit) {
    return value < limit - EPSILON * Math.abs(limit);
  }

  private static List<String> sentences(List<Outcome> outcomes, Verdict verdict) {
    return outcomes.stream()
        .filter(o -> o.verdict() == verdict)
        .map(Outcome::sentence)
        .collect(Collectors.toList());
  }

  private static Outcome pass(String sentence) {
    return new Outcome(Verdict.Pass, sentence);
  }

  private static Outcome fail(String sentence) {
    return new Outcome(Verdict.Fail, sentence);
  }

  private static Outcome inconclusive(String sentence) {
    return new Outcome(Verdict.Inconclusive, sentence);
  }

  // Numbers in sentences: three significant digits are enough to read and to tell 2.1x from 2x.

  static String percent(double rate) {
    return significant(rate * 100, 3) + "%";
  }

  static String ms(double millis) {
    return (Math.abs(millis) >= 100 ? Long.toString(Math.round(millis)) : significant(millis, 3))
        + " ms";
  }

  static String factor(double f) {
    String s = significant(f, 3);
    return s.contains(".") ? s : s + ".0";
  }

  static String count(double n) {
    return Long.toString(Math.round(n));
  }

  static String number(double v) {
    return significant(v, 4);
  }

  static String significant(double v, int digits) {
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(Double.toString(v))
        .round(new MathContext(digits, RoundingMode.HALF_UP))
        .stripTrailingZeros()
        .toPlainString();
  }
}
