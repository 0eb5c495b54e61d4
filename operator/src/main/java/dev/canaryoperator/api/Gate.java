package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A webhook asked before the release moves on. It gets the release, the step and the last analysis
 * as JSON (POST); only a 2xx answer lets the release move; anything else, no answer within the
 * timeout or no receiver at all holds it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Gate {
  @Required
  @Pattern("^https?://[^\\s/?#]+(/[^\\s?#]*)?$")
  private String url;

  @Default("10s")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_5M, message = Durations.MESSAGE_1S_TO_5M)
  private String timeout = "10s";

  public Gate() {}

  public Gate(String url) {
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
}
