package dev.canaryoperator.simulator;

import java.util.Map;
import java.util.Objects;

/**
 * How much traffic to generate and what it looks like.
 *
 * @param ratePerSecond requests per second; 0 pauses the generator
 * @param canaryGroupFraction fraction of requests that carry the canary-group header, so a
 *     VirtualService match route for the canary group gets exercised
 */
public record LoadSettings(
    double ratePerSecond,
    double canaryGroupFraction,
    String canaryGroupHeader,
    String canaryGroupValue,
    String path) {

  /**
   * Above this the 2-core machines we run on spend their time on the simulator, not on the test.
   */
  public static final double MAX_RATE = 5000;

  public static final LoadSettings DEFAULT = new LoadSettings(50, 0.0, "x-canary", "true", "/");

  public LoadSettings {
    if (!(ratePerSecond >= 0 && ratePerSecond <= MAX_RATE)) {
      throw new IllegalArgumentException(
          "rate must be within 0.." + (long) MAX_RATE + " requests/s: " + ratePerSecond);
    }
    if (!(canaryGroupFraction >= 0 && canaryGroupFraction <= 1)) {
      throw new IllegalArgumentException(
          "canaryGroupFraction must be within 0..1: " + canaryGroupFraction);
    }
    Objects.requireNonNull(canaryGroupHeader, "canaryGroupHeader");
    Objects.requireNonNull(canaryGroupValue, "canaryGroupValue");
    if (canaryGroupHeader.isBlank()) {
      throw new IllegalArgumentException("canaryGroupHeader must not be empty");
    }
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /: " + path);
    }
  }

  public LoadSettings withRate(double rate) {
    return new LoadSettings(rate, canaryGroupFraction, canaryGroupHeader, canaryGroupValue, path);
  }

  public LoadSettings withCanaryGroupFraction(double fraction) {
    return new LoadSettings(ratePerSecond, fraction, canaryGroupHeader, canaryGroupValue, path);
  }

  public LoadSettings withCanaryGroupHeader(String header, String value) {
    return new LoadSettings(ratePerSecond, canaryGroupFraction, header, value, path);
  }

  /**
   * These settings with the named ones changed (admin API and command line); unknown names are
   * errors.
   */
  public LoadSettings with(Map<String, String> changes) {
    double rate = ratePerSecond, fraction = canaryGroupFraction;
    String header = canaryGroupHeader, value = canaryGroupValue, p = path;
    for (var e : changes.entrySet()) {
      String v = e.getValue().trim();
      try {
        switch (e.getKey()) {
          case "rate" -> rate = Double.parseDouble(v);
          case "canaryGroupFraction" -> fraction = Double.parseDouble(v);
          case "canaryGroupHeader" -> header = v;
          case "canaryGroupValue" -> value = v;
          case "path" -> p = v;
          default ->
              throw new IllegalArgumentException(
                  "unknown load setting '"
                      + e.getKey()
                      + "' (known: rate, canaryGroupFraction, canaryGroupHeader, canaryGroupValue, path)");
        }
      } catch (NumberFormatException nfe) {
        throw new IllegalArgumentException("not a number for " + e.getKey() + ": '" + v + "'");
      }
    }
    return new LoadSettings(rate, fraction, header, value, p);
  }
}
