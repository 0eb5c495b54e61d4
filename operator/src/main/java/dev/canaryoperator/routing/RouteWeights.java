package dev.canaryoperator.routing;

/** The stable/canary split in percent: never negative, always summing to 100. */
public record RouteWeights(int stable, int canary) {
  public static final RouteWeights ALL_STABLE = new RouteWeights(100, 0);
  public static final RouteWeights ALL_CANARY = new RouteWeights(0, 100);

  public RouteWeights {
    if (stable < 0 || canary < 0 || stable + canary != 100) {
      throw new IllegalArgumentException(
          "weights must be non-negative and sum to 100, got stable="
              + stable
              + " canary="
              + canary);
    }
  }

  public static RouteWeights canaryAt(int canaryPercent) {
    return new RouteWeights(100 - canaryPercent, canaryPercent);
  }
}
