package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to continue a rollout lives here, so that a restarted or newly elected operator
 * continues at the same step with the same step start.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryReleaseStatus {
  private Phase phase;
  private Long observedGeneration;

  /** Hash of stable, canary and revision: a change starts a new rollout. */
  private String rolloutId;

  /** 1-based index into spec.steps; 0 before the first step. */
  private Integer currentStep;

  private Integer canaryWeight;
  private Integer stableWeight;
  private String stepStartedAt;

  /** When the split last changed. */
  private String weightChangedAt;

  /** Analyses that passed since stepStartedAt. */
  private Integer stepAnalysesPassed;

  private Integer consecutiveFailures;

  /** At the last step under Manual promotion: analysis continues until a person promotes. */
  private Boolean awaitingPromotion;

  private AnalysisStatus lastAnalysis;
  private String message;

  /** The request annotation values already acted on or refused, so that each acts once. */
  private RequestsStatus acknowledged;

  /**
   * Which attempt of the rollout this is: a retry starts the next. Requests name {@code
   * <rolloutId>.<attempt>}.
   */
  private Integer attempt;

  /** Why the phase is what it is, in one word (AnalysisFailed, Aborted, Completed...). */
  private String reason;

  /** When finalisation started; spec.finalize.timeout counts from here. */
  private String finalisingSince;

  /** The canary headers the operator set, so that it can remove them when the spec drops them. */
  private java.util.Map<String, String> canaryHeaders;

  /**
   * The VirtualService's metadata.generation when this status was decided. The status is written
   * before the VirtualService: one still at this generation that does not carry the status's split
   * is a write cut short by a restart, which the operator completes; one at a later generation was
   * changed by someone else.
   */
  private Long virtualServiceGeneration;

  private List<Condition> conditions = new ArrayList<>();
  private List<HistoryEntry> history = new ArrayList<>();

  public CanaryReleaseStatus() {}

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getRolloutId() {
    return rolloutId;
  }

  public void setRolloutId(String rolloutId) {
    this.rolloutId = rolloutId;
  }

  public Integer getCurrentStep() {
    return currentStep;
  }

  public void setCurrentStep(Integer currentStep) {
    this.currentStep = currentStep;
  }

  public Integer getCanaryWeight() {
    return canaryWeight;
  }

  public void setCanaryWeight(Integer canaryWeight) {
    this.canaryWeight = canaryWeight;
  }

  public Integer getStableWeight() {
    return stableWeight;
  }

  public void setStableWeight(Integer stableWeight) {
    this.stableWeight = stableWeight;
  }

  public String getWeightChangedAt() {
    return weightChangedAt;
  }

  public void setWeightChangedAt(String weightChangedAt) {
    this.weightChangedAt = weightChangedAt;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public Integer getStepAnalysesPassed() {
    return stepAnalysesPassed;
  }

  public void setStepAnalysesPassed(Integer stepAnalysesPassed) {
    this.stepAnalysesPassed = stepAnalysesPassed;
  }

  public Integer getConsecutiveFailures() {
    return consecutiveFailures;
  }

  public void setConsecutiveFailures(Integer consecutiveFailures) {
    this.consecutiveFailures = consecutiveFailures;
  }

  public Boolean getAwaitingPromotion() {
    return awaitingPromotion;
  }

  public void setAwaitingPromotion(Boolean awaitingPromotion) {
    this.awaitingPromotion = awaitingPromotion;
  }

  public AnalysisStatus getLastAnalysis() {
    return lastAnalysis;
  }

  public void setLastAnalysis(AnalysisStatus lastAnalysis) {
    this.lastAnalysis = lastAnalysis;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Long getVirtualServiceGeneration() {
    return virtualServiceGeneration;
  }

  public void setVirtualServiceGeneration(Long virtualServiceGeneration) {
    this.virtualServiceGeneration = virtualServiceGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<HistoryEntry> getHistory() {
    return history;
  }

  public void setHistory(List<HistoryEntry> history) {
    this.history = history;
  }

  public RequestsStatus getAcknowledged() {
    return acknowledged;
  }

  public void setAcknowledged(RequestsStatus acknowledged) {
    this.acknowledged = acknowledged;
  }

  public Integer getAttempt() {
    return attempt;
  }

  public void setAttempt(Integer attempt) {
    this.attempt = attempt;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getFinalisingSince() {
    return finalisingSince;
  }

  public void setFinalisingSince(String finalisingSince) {
    this.finalisingSince = finalisingSince;
  }

  public java.util.Map<String, String> getCanaryHeaders() {
    return canaryHeaders;
  }

  public void setCanaryHeaders(java.util.Map<String, String> canaryHeaders) {
    this.canaryHeaders = canaryHeaders;
  }
}
