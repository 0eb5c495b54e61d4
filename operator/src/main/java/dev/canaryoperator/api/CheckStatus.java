package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One custom metric check (spec.analysis.metrics[]) of the last analysis. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckStatus {
  private String name;
  private Verdict verdict;
  private Double canary;
  private Double stable;
  private String reason;

  public CheckStatus() {}

  public CheckStatus(String name, Verdict verdict, Double canary, Double stable, String reason) {
    this.name = name;
    this.verdict = verdict;
    this.canary = canary;
    this.stable = stable;
    this.reason = reason;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Verdict getVerdict() {
    return verdict;
  }

  public void setVerdict(Verdict verdict) {
    this.verdict = verdict;
  }

  public Double getCanary() {
    return canary;
  }

  public void setCanary(Double canary) {
    this.canary = canary;
  }

  public Double getStable() {
    return stable;
  }

  public void setStable(Double stable) {
    this.stable = stable;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
