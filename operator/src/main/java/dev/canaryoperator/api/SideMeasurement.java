package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What one side (stable or canary) measured in the analysis window; null where unknown. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SideMeasurement {
  private Double requests;
  private Double errorRate;
  private Double latencyMs;

  public SideMeasurement() {}

  public SideMeasurement(Double requests, Double errorRate, Double latencyMs) {
    this.requests = requests;
    this.errorRate = errorRate;
    this.latencyMs = latencyMs;
  }

  public Double getRequests() {
    return requests;
  }

  public void setRequests(Double requests) {
    this.requests = requests;
  }

  public Double getErrorRate() {
    return errorRate;
  }

  public void setErrorRate(Double errorRate) {
    this.errorRate = errorRate;
  }

  public Double getLatencyMs() {
    return latencyMs;
  }

  public void setLatencyMs(Double latencyMs) {
    this.latencyMs = latencyMs;
  }
}
