package dev.canaryoperator.analysis;

import dev.canaryoperator.api.Verdict;
import java.util.List;

/**
 * A verdict with the numbers behind it and one sentence a person can read, for example "canary 5xx
 * rate 4.2% > 2.0 x stable 1.1%".
 */
public record AnalysisResult(
    Verdict verdict,
    Measurement canary,
    Measurement stable,
    String reason,
    List<CheckResult> checks) {

  public AnalysisResult {
    checks = checks == null ? List.of() : List.copyOf(checks);
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
