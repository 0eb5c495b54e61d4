package dev.canaryoperator.analysis;

import dev.canaryoperator.api.Verdict;

/**
 * What one built-in rule concluded under the Sequential method, in numbers: the canary-to-stable
 * ratio estimated, its confidence interval (null where nothing is excluded yet; always null for a
 * quantile, whose interval is on the share of slow canary requests and is in the sentence), and the
 * rule's limit on that ratio.
 *
 * @param measure "5xx rate", "mean latency" or "p99 latency"
 * @param moreRequests while collecting: about how many more canary requests a decision needs at the
 *     rates seen so far (null when decided or when no amount would do)
 */
public record Evidence(
    String measure,
    Double estimate,
    Double lower,
    Double upper,
    double limit,
    Verdict verdict,
    Double moreRequests) {

  /** Finite numbers only: JSON and the API server have no NaN or infinity. */
  static Double finite(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
  }
}
