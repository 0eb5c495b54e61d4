package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One transition of the rollout, kept in a bounded list in status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryEntry {
  private String time;
  private Phase phase;
  private Integer step;
  private Integer canaryWeight;
  private String reason;
  private String message;

  public HistoryEntry() {}

  public HistoryEntry(
      String time, Phase phase, Integer step, Integer canaryWeight, String reason, String message) {
    this.time = time;
    this.phase = phase;
    this.step = step;
    this.canaryWeight = canaryWeight;
    this.reason = reason;
    this.message = message;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getCanaryWeight() {
    return canaryWeight;
  }

  public void setCanaryWeight(Integer canaryWeight) {
    this.canaryWeight = canaryWeight;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
