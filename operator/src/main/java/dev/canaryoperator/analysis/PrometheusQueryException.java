package dev.canaryoperator.analysis;

/**
 * A query that gave no usable number. The message is a sentence for the release's status; the kind
 * tells whether Prometheus itself is the problem (every further query of the round would fail the
 * same way) or only this query.
 */
public class PrometheusQueryException extends Exception {

  public enum Kind {
    /** Connection refused, unknown host, connection reset. */
    UNREACHABLE(true),
    /** No answer within the timeout. */
    TIMEOUT(true),
    /** TLS failed: untrusted certificate, wrong host name. */
    TLS(true),
    /** HTTP 401 or 403. */
    UNAUTHORIZED(true),
    /** Another HTTP error status (5xx, 404 for a wrong URL path). */
    HTTP_ERROR(true),
    /** The answer is not a Prometheus API response. */
    BAD_RESPONSE(true),
    /** Prometheus refused or failed this query (HTTP 400 bad_data, 422 execution). */
    QUERY_REJECTED(false),
    /** A matrix or string where an instant vector or scalar was expected. */
    BAD_RESULT_TYPE(false),
    /** An empty vector: no series matched. */
    NO_DATA(false),
    /** NaN or an infinity, e.g. 0/0 when a side had no requests. */
    NOT_A_NUMBER(false),
    /** Several series where one number was expected. */
    AMBIGUOUS(false),
    /**
     * An answer over the size limit. Not taken for a problem of Prometheus itself: a custom query
     * over too many series is the usual cause, and the other queries of the round may be fine.
     */
    TOO_LARGE(false);

    private final boolean serverProblem;

    Kind(boolean serverProblem) {
      this.serverProblem = serverProblem;
    }

    /** True when the problem is Prometheus (or the way to it), not the query. */
    public boolean serverProblem() {
      return serverProblem;
    }
  }

  private final Kind kind;

  public PrometheusQueryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public PrometheusQueryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /**
   * The query problem inside a future's failure; anything else (a bug) becomes a BAD_RESPONSE that
   * names it, so a round never ends in an exception nobody explains.
   */
  public static PrometheusQueryException of(Throwable failure) {
    Throwable t = PrometheusClient.unwrap(failure);
    if (t instanceof PrometheusQueryException q) {
      return q;
    }
    return new PrometheusQueryException(Kind.BAD_RESPONSE, "the query failed: " + t, t);
  }

  public Kind kind() {
    return kind;
  }
}
