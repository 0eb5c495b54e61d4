package dev.canaryoperator.rollout;

/**
 * Which rollout, and which attempt of it (a retry starts the next attempt of the same rollout).
 * Requests name {@link #key()}, so that a request made for one attempt acts on no other.
 */
public record RolloutRef(String id, int attempt) {
  public RolloutRef {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be 1 or more, got " + attempt);
    }
  }

  public static RolloutRef first(String id) {
    return new RolloutRef(id, 1);
  }

  public RolloutRef next() {
    return new RolloutRef(id, attempt + 1);
  }

  /** What a request's value starts with: {@code <id>.<attempt>}. */
  public String key() {
    return id + "." + attempt;
  }
}
