package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An extra PromQL check. The query is a template with the variables {{namespace}}, {{window}},
 * {{target}} (the side being measured: its destination service name), {{subset}} (the measured
 * side's subset, empty when none) and {{stable}} / {{canary}}. All but {{window}} are escaped for a
 * PromQL double-quoted string and belong inside double quotes; {{window}} is a validated duration
 * for a range: {@code [{{window}}]}. With maxRatio it runs once per side and fails when canary >
 * maxRatio x stable; with min/max it runs for the canary only and fails outside the bounds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.min) || has(self.max) || has(self.maxRatio)",
    message = "a metric check needs min, max or maxRatio")
@ValidationRule(
    value = "!has(self.maxRatio) || self.maxRatio > 0.0",
    message = "maxRatio must be greater than 0")
public class MetricCheck {
  @Required
  @Pattern("^[a-zA-Z][-a-zA-Z0-9_]*$")
  private String name;

  @Required private String query;
  private Double min;
  private Double max;
  private Double maxRatio;

  public MetricCheck() {}

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  public Double getMaxRatio() {
    return maxRatio;
  }

  public void setMaxRatio(Double maxRatio) {
    this.maxRatio = maxRatio;
  }
}
