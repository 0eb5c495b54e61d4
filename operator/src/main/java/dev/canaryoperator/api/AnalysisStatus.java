package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The last analysis: when, what it decided, what it measured, and why in one sentence. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStatus {
  private String time;
  private Verdict verdict;
  private SideMeasurement canary;
  private SideMeasurement stable;
  private String reason;

  /** The custom metric checks, when spec.analysis.metrics has any. */
  private List<CheckStatus> checks;

  /** Sequential method: each built-in rule's estimate and confidence interval. */
  private List<EvidenceStatus> evidence;

  public AnalysisStatus() {}

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Verdict getVerdict() {
    return verdict;
  }

  public void setVerdict(Verdict verdict) {
    this.verdict = verdict;
  }

  public SideMeasurement getCanary() {
    return canary;
  }

  public void setCanary(SideMeasurement canary) {
    this.canary = canary;
  }

  public SideMeasurement getStable() {
    return stable;
  }

  public void setStable(SideMeasurement stable) {
    this.stable = stable;
  }

  public List<CheckStatus> getChecks() {
    return checks;
  }

  public void setChecks(List<CheckStatus> checks) {
    this.checks = checks;
  }

  public List<EvidenceStatus> getEvidence() {
    return evidence;
  }

  public void setEvidence(List<EvidenceStatus> evidence) {
    this.evidence = evidence;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
