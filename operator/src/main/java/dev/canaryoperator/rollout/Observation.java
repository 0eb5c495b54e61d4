package dev.canaryoperator.rollout;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import java.time.Instant;

/**
 * What the shell observed for one decision.
 *
 * @param rolloutId identity of the rollout (stable, canary, revision): a change starts a new one
 * @param requests the request annotations' current values
 * @param trafficProblem why the VirtualService cannot be driven, or null when it can
 * @param outsideEdit the split someone else wrote into the VirtualService, or null
 * @param analysis a fresh analysis result, or null when none was due
 * @param analysisAt when that analysis queried (the window it measured ends there), or null for now
 * @param stable how far the stable Deployment is from taking the traffic back, or null when no
 *     finalisation is configured (or it could not be read)
 * @param gate the latest answer of the gate the release needs now (see {@link
 *     RolloutStateMachine#pendingGate}), or null when none was asked yet
 */
public record Observation(
    String rolloutId,
    Requests requests,
    TrafficProblem trafficProblem,
    OutsideEdit outsideEdit,
    AnalysisResult analysis,
    Instant analysisAt,
    StableReadiness stable,
    GateAnswer gate) {

  /** The VirtualService's split as someone other than the operator left it. */
  public record OutsideEdit(RouteWeights weights, String editedBy) {}

  public Observation {
    requests = requests == null ? Requests.NONE : requests;
  }

  public Observation withGate(GateAnswer answer) {
    return new Observation(
        rolloutId, requests, trafficProblem, outsideEdit, analysis, analysisAt, stable, answer);
  }

  public static Observation of(String rolloutId) {
    return new Observation(rolloutId, Requests.NONE, null, null, null, null, null, null);
  }

  public Observation withRequests(Requests value) {
    return new Observation(
        rolloutId, value, trafficProblem, outsideEdit, analysis, analysisAt, stable, gate);
  }

  public Observation withTrafficProblem(TrafficProblem problem) {
    return new Observation(
        rolloutId, requests, problem, outsideEdit, analysis, analysisAt, stable, gate);
  }

  public Observation withOutsideEdit(OutsideEdit edit) {
    return new Observation(
        rolloutId, requests, trafficProblem, edit, analysis, analysisAt, stable, gate);
  }

  public Observation withAnalysis(AnalysisResult result) {
    return withAnalysis(result, null);
  }

  public Observation withAnalysis(AnalysisResult result, Instant at) {
    return new Observation(
        rolloutId, requests, trafficProblem, outsideEdit, result, at, stable, gate);
  }

  public Observation withStable(StableReadiness readiness) {
    return new Observation(
        rolloutId, requests, trafficProblem, outsideEdit, analysis, analysisAt, readiness, gate);
  }
}
