package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the canary is judged against the stable at every interval. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {
  public static final String DEFAULT_INTERVAL = "1m";
  public static final int DEFAULT_FAILURE_LIMIT = 1;
  public static final OnNoData DEFAULT_ON_NO_DATA = OnNoData.Hold;
  public static final String DEFAULT_WINDOW = "5m";
  public static final int DEFAULT_MIN_REQUESTS = 100;
  public static final double DEFAULT_ERROR_RATE_RATIO = 2.0;
  public static final double DEFAULT_MIN_ERROR_RATE = 0.01;
  public static final double DEFAULT_LATENCY_INCREASE = 0.10;
  public static final LatencyMeasure DEFAULT_LATENCY_MEASURE = LatencyMeasure.Mean;
  public static final double DEFAULT_LATENCY_QUANTILE = 0.99;
  public static final AnalysisMethod DEFAULT_METHOD = AnalysisMethod.Sequential;
  public static final double DEFAULT_CONFIDENCE = 0.99;

  /**
   * Sequential judges the built-in rules on evidence accumulated over the step; Threshold on each
   * window's numbers alone (README, "How a verdict is reached").
   */
  @Default("Sequential")
  private AnalysisMethod method = DEFAULT_METHOD;

  /**
   * Sequential only: how sure the analysis must be before it fails a canary or passes a step. The
   * chance that one step rolls back a canary that is as good as the stable is at most 1 -
   * confidence, however often it looks.
   */
  @Default("0.99")
  @ValidationRule(
      value = "self >= 0.5 && self < 1.0",
      message = "confidence must be at least 0.5 and below 1 (0.99 means 99% sure)")
  private Double confidence = DEFAULT_CONFIDENCE;

  @Default(DEFAULT_INTERVAL)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_30D, message = Durations.MESSAGE_1S_TO_30D)
  private String interval = DEFAULT_INTERVAL;

  @Default("5m")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = Durations.CEL_1S_TO_30D, message = Durations.MESSAGE_1S_TO_30D)
  private String window = DEFAULT_WINDOW;

  @Required private PrometheusSpec prometheus;

  @Default("100")
  @Min(0)
  private Integer minRequests = DEFAULT_MIN_REQUESTS;

  @Default("2.0")
  @ValidationRule(
      value = "self > 1.0",
      message =
          "errorRateRatio must be greater than 1 (2.0 fails a canary with twice the stable's error rate)")
  private Double errorRateRatio = DEFAULT_ERROR_RATE_RATIO;

  @Default("0.01")
  @Min(0)
  @Max(1)
  private Double minErrorRate = DEFAULT_MIN_ERROR_RATE;

  @Default("0.1")
  @ValidationRule(
      value = "self > 0.0",
      message =
          "latencyIncrease must be greater than 0 (0.1 fails a canary 10% slower than the stable)")
  private Double latencyIncrease = DEFAULT_LATENCY_INCREASE;

  @Default("Mean")
  private LatencyMeasure latencyMeasure = DEFAULT_LATENCY_MEASURE;

  @Default("0.99")
  @ValidationRule(
      value = "self > 0.0 && self < 1.0",
      message = "latencyQuantile must be between 0 and 1, exclusive (0.99 is p99)")
  private Double latencyQuantile = DEFAULT_LATENCY_QUANTILE;

  @Default("1")
  @Min(1)
  private Integer failureLimit = DEFAULT_FAILURE_LIMIT;

  @Default("Hold")
  private OnNoData onNoData = DEFAULT_ON_NO_DATA;

  /**
   * Prometheus label matchers that select each side's series (destination_* labels of Istio's
   * metrics). Empty means: destination_service_name and destination_service_namespace from the
   * host, plus destination_version = subset when a subset is set.
   */
  private Map<String, String> stableSelector = new LinkedHashMap<>();

  private Map<String, String> canarySelector = new LinkedHashMap<>();

  @Size(max = 20)
  private List<MetricCheck> metrics = new ArrayList<>();

  public AnalysisSpec() {}

  public AnalysisSpec(PrometheusSpec prometheus) {
    this.prometheus = prometheus;
  }

  public AnalysisMethod getMethod() {
    return method;
  }

  public void setMethod(AnalysisMethod method) {
    this.method = method;
  }

  public Double getConfidence() {
    return confidence;
  }

  public void setConfidence(Double confidence) {
    this.confidence = confidence;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public PrometheusSpec getPrometheus() {
    return prometheus;
  }

  public void setPrometheus(PrometheusSpec prometheus) {
    this.prometheus = prometheus;
  }

  public Integer getMinRequests() {
    return minRequests;
  }

  public void setMinRequests(Integer minRequests) {
    this.minRequests = minRequests;
  }

  public Double getErrorRateRatio() {
    return errorRateRatio;
  }

  public void setErrorRateRatio(Double errorRateRatio) {
    this.errorRateRatio = errorRateRatio;
  }

  public Double getMinErrorRate() {
    return minErrorRate;
  }

  public void setMinErrorRate(Double minErrorRate) {
    this.minErrorRate = minErrorRate;
  }

  public Double getLatencyIncrease() {
    return latencyIncrease;
  }

  public void setLatencyIncrease(Double latencyIncrease) {
    this.latencyIncrease = latencyIncrease;
  }

  public LatencyMeasure getLatencyMeasure() {
    return latencyMeasure;
  }

  public void setLatencyMeasure(LatencyMeasure latencyMeasure) {
    this.latencyMeasure = latencyMeasure;
  }

  public Double getLatencyQuantile() {
    return latencyQuantile;
  }

  public void setLatencyQuantile(Double latencyQuantile) {
    this.latencyQuantile = latencyQuantile;
  }

  public Integer getFailureLimit() {
    return failureLimit;
  }

  public void setFailureLimit(Integer failureLimit) {
    this.failureLimit = failureLimit;
  }

  public OnNoData getOnNoData() {
    return onNoData;
  }

  public void setOnNoData(OnNoData onNoData) {
    this.onNoData = onNoData;
  }

  public Map<String, String> getStableSelector() {
    return stableSelector;
  }

  public void setStableSelector(Map<String, String> stableSelector) {
    this.stableSelector = stableSelector;
  }

  public Map<String, String> getCanarySelector() {
    return canarySelector;
  }

  public void setCanarySelector(Map<String, String> canarySelector) {
    this.canarySelector = canarySelector;
  }

  public List<MetricCheck> getMetrics() {
    return metrics;
  }

  public void setMetrics(List<MetricCheck> metrics) {
    this.metrics = metrics;
  }
}
