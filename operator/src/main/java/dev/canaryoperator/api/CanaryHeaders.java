package dev.canaryoperator.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** Request headers set on traffic routed to the canary (the canary's configuration override). */
public class CanaryHeaders {
  private Map<String, String> set = new LinkedHashMap<>();

  public CanaryHeaders() {}

  public CanaryHeaders(Map<String, String> set) {
    this.set = new LinkedHashMap<>(set);
  }

  public Map<String, String> getSet() {
    return set;
  }

  public void setSet(Map<String, String> set) {
    this.set = set;
  }
}
