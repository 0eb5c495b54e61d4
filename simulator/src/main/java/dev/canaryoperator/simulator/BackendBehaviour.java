package dev.canaryoperator.simulator;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * How a backend answers, changeable while it runs.
 *
 * <p>Latency is log-normal with mean {@code latencyMs}: {@code latencyMs * exp(sigma*Z -
 * sigma^2/2)} for a standard normal Z. The correction term keeps the mean at {@code latencyMs}, so
 * a canary set to 10% more latency shows 10% more in {@code _sum/_count}; {@code latencySigma} = 0
 * makes every request take exactly {@code latencyMs}, and 0.5 gives a p99 near 2.7 x the median, a
 * plausible service tail.
 *
 * @param errorRate fraction of requests answered with {@code errorStatus}, 0..1
 * @param errorStatus 500..599; Istio counts 5xx as errors
 */
public record BackendBehaviour(
    double errorRate, int errorStatus, double latencyMs, double latencySigma) {

  public static final BackendBehaviour HEALTHY = new BackendBehaviour(0.0, 503, 20, 0.25);
  static final double MAX_LATENCY_MS = 60_000;

  public BackendBehaviour {
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("errorRate must be within 0..1: " + errorRate);
    }
    if (errorStatus < 500 || errorStatus > 599) {
      throw new IllegalArgumentException("errorStatus must be a 5xx code: " + errorStatus);
    }
    if (!(latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)) {
      throw new IllegalArgumentException(
          "latencyMs must be within 0.." + (long) MAX_LATENCY_MS + ": " + latencyMs);
    }
    if (!(latencySigma >= 0 && latencySigma <= 3)) {
      throw new IllegalArgumentException("latencySigma must be within 0..3: " + latencySigma);
    }
  }

  /**
   * This behaviour with the given settings changed; keys are the component names. Used by the admin
   * API and the command line, so unknown keys and bad numbers are reported, not ignored.
   */
  public BackendBehaviour with(Map<String, String> changes) {
    double er = errorRate, lat = latencyMs, sigma = latencySigma;
    int status = errorStatus;
    for (var e : changes.entrySet()) {
      String v = e.getValue().trim();
      try {
        switch (e.getKey()) {
          case "errorRate" -> er = Double.parseDouble(v);
          case "errorStatus" -> status = Integer.parseInt(v);
          case "latencyMs" -> lat = Double.parseDouble(v);
          case "latencySigma" -> sigma = Double.parseDouble(v);
          default ->
              throw new IllegalArgumentException(
                  "unknown backend setting '"
                      + e.getKey()
                      + "' (known: errorRate, errorStatus, latencyMs, latencySigma)");
        }
      } catch (NumberFormatException nfe) {
        throw new IllegalArgumentException("not a number for " + e.getKey() + ": '" + v + "'");
      }
    }
    return new BackendBehaviour(er, status, lat, sigma);
  }

  public long sampleLatencyNanos(RandomGenerator random) {
    double ms =
        latencySigma == 0
            ? latencyMs
            : latencyMs
                * Math.exp(latencySigma * random.nextGaussian() - latencySigma * latencySigma / 2);
    return (long) (Math.min(ms, MAX_LATENCY_MS) * 1_000_000L);
  }

  public boolean sampleError(RandomGenerator random) {
    return errorRate > 0 && random.nextDouble() < errorRate;
  }
}
