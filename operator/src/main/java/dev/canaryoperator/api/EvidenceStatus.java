package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One built-in rule under the Sequential method: the canary-to-stable ratio estimated, its
 * confidence interval (a missing end excludes nothing yet), and the rule's limit on that ratio.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvidenceStatus {
  /** "5xx rate", "mean latency" or "p99 latency". */
  private String measure;

  private Double estimate;
  private Double lower;
  private Double upper;
  private Double limit;
  private Verdict verdict;

  /** While collecting: about how many more canary requests a decision needs. */
  private Double moreRequests;

  public EvidenceStatus() {}

  public EvidenceStatus(
      String measure,
      Double estimate,
      Double lower,
      Double upper,
      Double limit,
      Verdict verdict,
      Double moreRequests) {
    this.measure = measure;
    this.estimate = estimate;
    this.lower = lower;
    this.upper = upper;
    this.limit = limit;
    this.verdict = verdict;
    this.moreRequests = moreRequests;
  }

  public String getMeasure() {
    return measure;
  }

  public void setMeasure(String measure) {
    this.measure = measure;
  }

  public Double getEstimate() {
    return estimate;
  }

  public void setEstimate(Double estimate) {
    this.estimate = estimate;
  }

  public Double getLower() {
    return lower;
  }

  public void setLower(Double lower) {
    this.lower = lower;
  }

  public Double getUpper() {
    return upper;
  }

  public void setUpper(Double upper) {
    this.upper = upper;
  }

  public Double getLimit() {
    return limit;
  }

  public void setLimit(Double limit) {
    this.limit = limit;
  }

  public Verdict getVerdict() {
    return verdict;
  }

  public void setVerdict(Verdict verdict) {
    this.verdict = verdict;
  }

  public Double getMoreRequests() {
    return moreRequests;
  }

  public void setMoreRequests(Double moreRequests) {
    this.moreRequests = moreRequests;
  }
}
