package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** One side of the split: a Service host, optionally a DestinationRule subset and a port. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Destination {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  private String host;

  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  private String subset;

  @Min(1)
  @Max(65535)
  private Integer port;

  public Destination() {}

  public Destination(String host, String subset, Integer port) {
    this.host = host;
    this.subset = subset;
    this.port = port;
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getSubset() {
    return subset;
  }

  public void setSubset(String subset) {
    this.subset = subset;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  /**
   * The Service name without namespace or cluster suffix: "reviews" for
   * "reviews.bookinfo.svc.cluster.local".
   */
  @JsonIgnore
  public String shortHost() {
    return ServiceHost.of(host, null).name();
  }

  @Override
  public String toString() {
    return host + (subset == null ? "" : "/" + subset) + (port == null ? "" : ":" + port);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Destination d
        && Objects.equals(host, d.host)
        && Objects.equals(subset, d.subset)
        && Objects.equals(port, d.port);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, subset, port);
  }
}
