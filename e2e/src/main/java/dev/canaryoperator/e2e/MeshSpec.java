package dev.canaryoperator.e2e;

import dev.canaryoperator.simulator.BackendBehaviour;

/**
 * One mesh: a namespace with the VirtualService, the traffic that flows through it, and how the
 * stable and canary backends answer at first.
 *
 * @param namespacePrefix a random suffix is added: namespaces never finish deleting without a
 *     controller-manager
 * @param ratePerSecond requests per second the simulator sends through the VirtualService
 */
public record MeshSpec(
    String namespacePrefix,
    double ratePerSecond,
    BackendBehaviour stable,
    BackendBehaviour canary) {

  /**
   * Constant latency, so that the canary's mean differs from the stable's only by what a test sets;
   * 50 ms keeps the 10% threshold (5 ms) above the scheduling noise of a busy 2-core machine.
   */
  public static final BackendBehaviour STEADY = new BackendBehaviour(0.0, 503, 50, 0);

  /**
   * Requests per second of a healthy mesh. The Sequential analysis passes a step only on evidence:
   * with no 5xx at all, about 650 canary requests show a rate under the 1% floor with 99%
   * confidence, so 300 requests/s lets a 5% step pass in about 45 s and the later ones in seconds.
   */
  public static final double HEALTHY_RATE = 300;

  public static MeshSpec healthy(String namespacePrefix) {
    return new MeshSpec(namespacePrefix, HEALTHY_RATE, STEADY, STEADY);
  }

  public MeshSpec withRate(double rate) {
    return new MeshSpec(namespacePrefix, rate, stable, canary);
  }

  /** Both backends fail this fraction of requests. */
  public MeshSpec withErrorRate(double errorRate) {
    BackendBehaviour failing =
        new BackendBehaviour(
            errorRate, stable.errorStatus(), stable.latencyMs(), stable.latencySigma());
    return new MeshSpec(namespacePrefix, ratePerSecond, failing, failing);
  }
}
