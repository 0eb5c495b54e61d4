package dev.canaryoperator.analysis;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads Prometheus credentials from a Secret in the release's namespace: key "token" (bearer), or
 * keys "username" and "password" (basic), and optionally "ca.crt" (PEM, one or more certificates)
 * to trust for https. A Secret with only "ca.crt" is fine: TLS without authentication.
 */
public final class KubernetesSecretCredentials implements CredentialsResolver {
  static final String TOKEN = "token";
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String CA = "ca.crt";

  private final KubernetesClient client;

  public KubernetesSecretCredentials(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public PrometheusCredentials resolve(String namespace, String secretName)
      throws CredentialsException {
    String ref = describe(namespace, secretName);
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    } catch (KubernetesClientException e) {
      String why =
          e.getCode() == 403 ? "the operator is not allowed to read it (RBAC)" : e.getMessage();
      throw new CredentialsException("cannot read " + ref + ": " + why, e);
    }
    if (secret == null) {
      throw new CredentialsException(ref + " does not exist");
    }
    return fromSecret(secret, ref);
  }

  /**
   * The credentials in a Secret already read; pure, so every rule is testable without a cluster.
   */
  static PrometheusCredentials fromSecret(Secret secret, String ref) throws CredentialsException {
    String token = value(secret, TOKEN, ref);
    String username = value(secret, USERNAME, ref);
    String password = value(secret, PASSWORD, ref);
    String ca = value(secret, CA, ref);
    if (token == null && username == null && password == null && ca == null) {
      throw new CredentialsException(
          ref + " has none of the keys 'token', 'username' and 'password', 'ca.crt'");
    }
    if (token != null && (username != null || password != null)) {
      throw new CredentialsException(
          ref + " has both 'token' and 'username'/'password': keep one way to authenticate");
    }
    if (username != null && password == null) {
      throw new CredentialsException(ref + " has 'username' but no 'password'");
    }
    if (password != null && username == null) {
      throw new CredentialsException(ref + " has 'password' but no 'username'");
    }
    List<X509Certificate> trusted = ca == null ? List.of() : certificates(ca, ref);
    return new PrometheusCredentials(token, username, password, trusted);
  }

  static List<X509Certificate> certificates(String pem, String ref) throws CredentialsException {
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certificates.add((X509Certificate) c);
      }
      if (certificates.isEmpty()) {
        throw new CredentialsException("'ca.crt' in " + ref + " holds no certificate");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new CredentialsException(
          "'ca.crt' in " + ref + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A key's text, or null when absent. Values written with kubectl --from-file often end in a
   * newline that is not part of the token or password, so trailing line breaks are dropped.
   */
  private static String value(Secret secret, String key, String ref) throws CredentialsException {
    String text = null;
    Map<String, String> stringData = secret.getStringData();
    Map<String, String> data = secret.getData();
    if (stringData != null && stringData.get(key) != null) {
      text = stringData.get(key);
    } else if (data != null && data.get(key) != null) {
      try {
        text = new String(Base64.getDecoder().decode(data.get(key).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CredentialsException("key '" + key + "' in " + ref + " is not valid base64");
      }
    }
    if (text == null) {
      return null;
    }
    text = text.replaceAll("[\r\n]+$", "");
    if (text.isEmpty()) {
      throw new CredentialsException("key '" + key + "' in " + ref + " is empty");
    }
    return text;
  }

  static String describe(String namespace, String secretName) {
    return "Secret " + namespace + "/" + secretName + " (spec.analysis.prometheus.secretName)";
  }
}
