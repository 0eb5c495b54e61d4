package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules for reading credentials out of a Secret, on Secrets built in memory. */
class KubernetesSecretCredentialsTest {
  private static final String REF =
      KubernetesSecretCredentials.describe("bookinfo", "prometheus-auth");

  /** A self-signed CA certificate (EC P-256, CN=test-prometheus-ca). */
  private static final String CA_PEM =
      ""
          + "-----BEGIN CERTIFICATE-----\n"
          + "MIIBjjCCATWgAwIBAgIUfpeHRb3mxScgqqVqfxfyC2pON6AwCgYIKoZIzj0EAwIw\n"
          + "HTEbMBkGA1UEAwwSdGVzdC1wcm9tZXRoZXVzLWNhMB4XDTI2MTEyMzE4MzgyOVoX\n"
          + "DTM2MTEyMDE4MzgyOVowHTEbMBkGA1UEAwwSdGVzdC1wcm9tZXRoZXVzLWNhMFkw\n"
          + "EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1HX28wxzkiUiMSNgfGjL21BUYGpdlOVx\n"
          + "c0D17g3hYeMYNjpcRApHBnehiFydFhk+tx+OiVVL96dxzLM29ewyI6NTMFEwHQYD\n"
          + "VR0OBBYEFPrslvdT86NpmOItgdZSKX1mWbiVMB8GA1UdIwQYMBaAFPrslvdT86Np\n"
          + "mOItgdZSKX1mWbiVMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg\n"
          + "U/L2OUkSHa0vQu1LaqE50YojAWJ1nOMeC8RHDf/X51ACID4cHoQT3nPE3W1u7WhN\n"
          + "pcz0PKFraes37NK0+6NgCIR3\n"
          + "-----END CERTIFICATE-----\n";

  private static Secret secret(String... keysAndValues) {
    Map<String, String> data = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      data.put(
          keysAndValues[i],
          Base64.getEncoder()
              .encodeToString(keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName("prometheus-auth")
        .withNamespace("bookinfo")
        .endMetadata()
        .withData(data)
        .build();
  }

  @Test
  void aTokenMeansBearerAuth() throws Exception {
    PrometheusCredentials credentials =
        KubernetesSecretCredentials.fromSecret(secret("token", "eyJhbGciOi\n"), REF);

    assertThat(credentials.bearerToken()).isEqualTo("eyJhbGciOi");
    assertThat(credentials.username()).isNull();
    assertThat(credentials.trustedCertificates()).isEmpty();
  }

  @Test
  void usernameAndPasswordMeanBasicAuth() throws Exception {
    PrometheusCredentials credentials =
        KubernetesSecretCredentials.fromSecret(
            secret("username", "canary", "password", "p4ss word\r\n"), REF);

    assertThat(credentials.username()).isEqualTo("canary");
    assertThat(credentials.password()).isEqualTo("p4ss word");
    assertThat(credentials.bearerToken()).isNull();
  }

  @Test
  void aCaIsTrustedWithOrWithoutAuth() throws Exception {
    PrometheusCredentials tlsOnly =
        KubernetesSecretCredentials.fromSecret(secret("ca.crt", CA_PEM), REF);
    PrometheusCredentials withToken =
        KubernetesSecretCredentials.fromSecret(secret("token", "t", "ca.crt", CA_PEM), REF);

    assertThat(tlsOnly.trustedCertificates())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getSubjectX500Principal().getName())
                    .isEqualTo("CN=test-prometheus-ca"));
    assertThat(tlsOnly.bearerToken()).isNull();
    assertThat(withToken.bearerToken()).isEqualTo("t");
    assertThat(withToken.trustedCertificates()).hasSize(1);
  }

  @Test
  void aCaBundleMayHoldSeveralCertificates() throws Exception {
    PrometheusCredentials credentials =
        KubernetesSecretCredentials.fromSecret(secret("ca.crt", CA_PEM + CA_PEM), REF);

    assertThat(credentials.trustedCertificates()).hasSize(2);
  }

  @Test
  void stringDataCountsToo() throws Exception {
    Secret secret = new SecretBuilder().withStringData(Map.of("token", "plain")).build();

    assertThat(KubernetesSecretCredentials.fromSecret(secret, REF).bearerToken())
        .isEqualTo("plain");
  }

  @Test
  void aSecretWithoutAnyKnownKeyIsRefused() {
    assertThatThrownBy(() -> KubernetesSecretCredentials.fromSecret(secret("apikey", "x"), REF))
        .isInstanceOf(CredentialsException.class)
        .hasMessage(
            "Secret bookinfo/prometheus-auth (spec.analysis.prometheus.secretName) has none of the keys"
                + " 'token', 'username' and 'password', 'ca.crt'");
  }

  @Test
  void tokenAndBasicTogetherAreRefused() {
    assertThatThrownBy(
            () ->
                KubernetesSecretCredentials.fromSecret(
                    secret("token", "t", "username", "u", "password", "p"), REF))
        .hasMessageEndingWith(
            "has both 'token' and 'username'/'password': keep one way to authenticate");
  }

  @Test
  void aUsernameWithoutPasswordIsRefused() {
    assertThatThrownBy(() -> KubernetesSecretCredentials.fromSecret(secret("username", "u"), REF))
        .hasMessage(REF + " has 'username' but no 'password'");
  }

  @Test
  void aPasswordWithoutUsernameIsRefused() {
    assertThatThrownBy(() -> KubernetesSecretCredentials.fromSecret(secret("password", "p"), REF))
        .hasMessage(REF + " has 'password' but no 'username'");
  }

  @Test
  void anEmptyTokenIsRefused() {
    assertThatThrownBy(() -> KubernetesSecretCredentials.fromSecret(secret("token", "\n"), REF))
        .hasMessage("key 'token' in " + REF + " is empty");
  }

  @Test
  void dataThatIsNotBase64IsRefused() {
    Secret secret = new SecretBuilder().withData(Map.of("token", "not base64!")).build();

    assertThatThrownBy(() -> KubernetesSecretCredentials.fromSecret(secret, REF))
        .hasMessage("key 'token' in " + REF + " is not valid base64");
  }

  @Test
  void aCaThatIsNotPemIsRefused() {
    assertThatThrownBy(
            () ->
                KubernetesSecretCredentials.fromSecret(
                    secret("ca.crt", "-----BEGIN CERTIFICATE-----\nnope\n"), REF))
        .hasMessageStartingWith("'ca.crt' in " + REF + " is not a PEM certificate: ");
  }

  @Test
  void credentialsNeverPrintTheirSecrets() {
    assertThat(PrometheusCredentials.bearer("s3cr3t").toString())
        .doesNotContain("s3cr3t")
        .contains("bearer token");
    assertThat(PrometheusCredentials.basic("canary", "hunter2").toString())
        .doesNotContain("hunter2")
        .contains("basic auth as canary");
  }
}
