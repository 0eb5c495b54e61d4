package dev.canaryoperator.analysis;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How to authenticate to Prometheus and whom to trust for https: a bearer token, or a username and
 * password (basic), or neither; and the CA certificates to trust instead of the JVM's default ones
 * (empty: the default ones).
 */
public record PrometheusCredentials(
    String bearerToken,
    String username,
    String password,
    List<X509Certificate> trustedCertificates) {
  public static final PrometheusCredentials NONE =
      new PrometheusCredentials(null, null, null, List.of());

  public PrometheusCredentials {
    trustedCertificates =
        trustedCertificates == null ? List.of() : List.copyOf(trustedCertificates);
    if (bearerToken != null && (username != null || password != null)) {
      throw new IllegalArgumentException("either a bearer token or basic credentials, not both");
    }
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("basic credentials need both a username and a password");
    }
  }

  public static PrometheusCredentials bearer(String token) {
    return new PrometheusCredentials(token, null, null, List.of());
  }

  public static PrometheusCredentials basic(String username, String password) {
    return new PrometheusCredentials(null, username, password, List.of());
  }

  public PrometheusCredentials trusting(List<X509Certificate> certificates) {
    return new PrometheusCredentials(bearerToken, username, password, certificates);
  }

  /** Never prints the secrets themselves: this ends up in logs. */
  @Override
  public String toString() {
    String auth =
        bearerToken != null
            ? "bearer token"
            : username != null ? "basic auth as " + username : "no auth";
    return "PrometheusCredentials["
        + auth
        + ", "
        + trustedCertificates.size()
        + " trusted CA certificate(s)]";
  }
}
