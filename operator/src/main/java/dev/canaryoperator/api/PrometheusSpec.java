package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where and how to query Prometheus. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusSpec {
  @Required
  @Pattern("^https?://[^\\s/?#]+(/[^\\s?#]*)?$")
  private String url;

  @Default("10s")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_5M, message = Durations.MESSAGE_1S_TO_5M)
  private String timeout = "10s";

  /**
   * Secret in the release's namespace with key "token" (bearer) or keys "username" and "password"
   * (basic), and optionally "ca.crt" (PEM) to trust for https.
   */
  private String secretName;

  public PrometheusSpec() {}

  public PrometheusSpec(String url) {
    this.url = url;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }
}
