package dev.canaryoperator.analysis;

/**
 * Finds the credentials that spec.analysis.prometheus.secretName names, in the release's namespace.
 */
@FunctionalInterface
public interface CredentialsResolver {
  /** A resolver for releases that never name a Secret. */
  CredentialsResolver NONE =
      (namespace, secretName) -> {
        throw new CredentialsException(
            "no way to read Secret " + namespace + "/" + secretName + " was configured");
      };

  PrometheusCredentials resolve(String namespace, String secretName) throws CredentialsException;
}
