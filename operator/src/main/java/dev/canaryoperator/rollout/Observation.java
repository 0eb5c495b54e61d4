package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.routing.TrafficProblem;

/**
 * What the shell observed for one decision.
 *
 * @param rolloutId identity of the rollout (stable, canary, revision): a change starts a new one
 * @param promoteRequest current value of the promote annotation, or null
 * @param retryRequest current value of the retry annotation, or null
 * @param trafficProblem why the VirtualService cannot be driven, or null when it can
 * @param analysis a fresh analysis result, or null when none was due
 * @param analysisAt when that analysis queried (the window it measured ends there), or null for now
 */
public record Observation(
    String rolloutId,
    String promoteRequest,
    String retryRequest,
    TrafficProblem trafficProblem,
    AnalysisResult analysis,
    java.time.Instant analysisAt) {

  public Observation(
      String rolloutId,
      String promoteRequest,
      String retryRequest,
      TrafficProblem trafficProblem,
      AnalysisResult analysis) {
    this(rolloutId, promoteRequest, retryRequest, trafficProblem, analysis, null);
  }

  public static Observation of(String rolloutId) {
    return new Observation(rolloutId, null, null, null, null);
  }

  public Observation withAnalysis(AnalysisResult result) {
    return new Observation(rolloutId, promoteRequest, retryRequest, trafficProblem, result, null);
  }

  public Observation withAnalysis(AnalysisResult result, java.time.Instant at) {
    return new Observation(rolloutId, promoteRequest, retryRequest, trafficProblem, result, at);
  }

  public Observation withTrafficProblem(TrafficProblem problem) {
    return new Observation(rolloutId, promoteRequest, retryRequest, problem, analysis, analysisAt);
  }
}
