package dev.canaryoperator.simulator;

/** One entry of an http route's {@code route} list, with its weight already defaulted. */
public record WeightedDestination(Destination destination, int weight) {
  public WeightedDestination {
    if (weight < 0) {
      throw new IllegalArgumentException("weight must not be negative: " + weight);
    }
  }
}
