package dev.canaryoperator.rollout;

/**
 * A gate the release needs open to move on now.
 *
 * @param rolloutKey the rollout and attempt it is for (null before the rollout starts: its id)
 * @param step the step asked about
 */
public record GateRequest(String rolloutKey, GateKind kind, int step) {}
