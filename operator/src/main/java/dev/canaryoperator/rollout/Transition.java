package dev.canaryoperator.rollout;

/**
 * A change worth an event and a history entry. {@code warning} marks the ones a person must look
 * at.
 */
public record Transition(String reason, String message, boolean warning) {
  public static Transition normal(String reason, String message) {
    return new Transition(reason, message, false);
  }

  public static Transition warning(String reason, String message) {
    return new Transition(reason, message, true);
  }
}
