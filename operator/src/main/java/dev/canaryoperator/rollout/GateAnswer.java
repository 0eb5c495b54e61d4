package dev.canaryoperator.rollout;

/**
 * What a gate answered for one moment of one rollout.
 *
 * @param step the step it was asked about (the step to come for a traffic increase)
 * @param open true only for a 2xx answer
 * @param message what it answered, for the status ("HTTP 403", "no answer within 10s")
 */
public record GateAnswer(String rolloutKey, GateKind kind, int step, boolean open, String message) {
  /** True when this answers the given request. */
  public boolean answers(GateRequest request) {
    return request.equals(new GateRequest(rolloutKey, kind, step));
  }
}
