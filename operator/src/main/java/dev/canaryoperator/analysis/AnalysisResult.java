package dev.canaryoperator.analysis;

import dev.canaryoperator.api.Verdict;
import java.util.List;

/**
 * A verdict with the numbers behind it and one sentence a person can read, for example "canary 5xx
 * 2.7% vs stable 0.8%: 3.4x, at least 2.3x with 99% confidence &gt; 2.0x".
 *
 * @param evidence the Sequential method's estimates and confidence intervals, one per built-in rule
 *     judged; empty under Threshold
 */
public record AnalysisResult(
    Verdict verdict,
    Measurement canary,
    Measurement stable,
    String reason,
    List<CheckResult> checks,
    List<Evidence> evidence) {

  public AnalysisResult {
    checks = checks == null ? List.of() : List.copyOf(checks);
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
  }

  public AnalysisResult(
      Verdict verdict,
      Measurement canary,
      Measurement stable,
      String reason,
      List<CheckResult> checks) {
    this(verdict, canary, stable, reason, checks, List.of());
  }

  public static AnalysisResult pass(Measurement canary, Measurement stable, String reason) {
    return new AnalysisResult(Verdict.Pass, canary, stable, reason, List.of());
  }

  public static AnalysisResult fail(Measurement canary, Measurement stable, String reason) {
    return new AnalysisResult(Verdict.Fail, canary, stable, reason, List.of());
  }

  public static AnalysisResult inconclusive(String reason) {
    return new AnalysisResult(
        Verdict.Inconclusive, Measurement.UNKNOWN, Measurement.UNKNOWN, reason, List.of());
  }
}
