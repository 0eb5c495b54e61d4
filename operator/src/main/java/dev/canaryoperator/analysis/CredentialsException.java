package dev.canaryoperator.analysis;

/**
 * The Prometheus credentials named by a release cannot be loaded; the message says why and where.
 */
public class CredentialsException extends Exception {
  public CredentialsException(String message) {
    super(message);
  }

  public CredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
