package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;

/** Istio's StringMatch: exactly one of exact, prefix, regex. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) == 1",
    message = "set exactly one of exact, prefix or regex")
public class StringMatch {
  private String exact;
  private String prefix;
  private String regex;

  public StringMatch() {}

  public static StringMatch exact(String value) {
    StringMatch m = new StringMatch();
    m.exact = value;
    return m;
  }

  public String getExact() {
    return exact;
  }

  public void setExact(String exact) {
    this.exact = exact;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public String getRegex() {
    return regex;
  }

  public void setRegex(String regex) {
    this.regex = regex;
  }
}
