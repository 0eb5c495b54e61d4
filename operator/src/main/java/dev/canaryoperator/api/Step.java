package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One traffic step: the canary's share in percent and how long to observe it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Step {
  @Required
  @Min(1)
  @Max(100)
  private Integer weight;

  /** Defaults to spec.stepDuration. */
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_30D, message = Durations.MESSAGE_1S_TO_30D)
  private String duration;

  public Step() {}

  public Step(int weight, String duration) {
    this.weight = weight;
    this.duration = duration;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public String getDuration() {
    return duration;
  }

  public void setDuration(String duration) {
    this.duration = duration;
  }
}
