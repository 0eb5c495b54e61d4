package dev.canaryoperator.api;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.Releases;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** `kubectl apply` of a bad CanaryRelease fails at once, with a message that names the field. */
@RealKubernetes
class CanaryReleaseValidationIT {

  record Case(String what, Consumer<CanaryReleaseSpec> breakIt, List<String> messageNames) {}

  static Case invalid(String what, Consumer<CanaryReleaseSpec> breakIt, String... messageNames) {
    return new Case(what, breakIt, List.of(messageNames));
  }

  static Stream<Arguments> invalidReleases() {
    return Stream.of(
            invalid("no steps", s -> s.setSteps(new ArrayList<>()), "spec.steps"),
            invalid(
                "decreasing weights",
                s -> s.setSteps(steps(10, 5)),
                "spec.steps",
                "strictly increasing"),
            invalid(
                "repeated weight",
                s -> s.setSteps(steps(5, 5, 10)),
                "spec.steps",
                "strictly increasing"),
            invalid("weight 0", s -> s.setSteps(steps(0, 50)), "spec.steps[0].weight"),
            invalid("weight above 100", s -> s.setSteps(steps(50, 101)), "spec.steps[1].weight"),
            invalid(
                "21 steps",
                s -> s.setSteps(steps(IntStream.rangeClosed(1, 21).toArray())),
                "spec.steps"),
            invalid(
                "step duration in words",
                s -> s.getSteps().get(0).setDuration("5 minutes"),
                "spec.steps[0].duration"),
            invalid(
                "stepDuration not a duration", s -> s.setStepDuration("soon"), "spec.stepDuration"),
            invalid(
                "stepDuration that overflows",
                s -> s.setStepDuration("99999999999999h"),
                "spec.stepDuration"),
            invalid(
                "stepDuration over 30 days",
                s -> s.setStepDuration("721h"),
                "spec.stepDuration",
                "from 1s to 720h"),
            invalid(
                "interval that overflows",
                s -> s.getAnalysis().setInterval("99999999999999h"),
                "spec.analysis.interval"),
            invalid(
                "interval of 0s",
                s -> s.getAnalysis().setInterval("0s"),
                "spec.analysis.interval",
                "from 1s to 720h"),
            invalid(
                "step duration of 0ms",
                s -> s.getSteps().get(0).setDuration("0ms"),
                "spec.steps[0].duration",
                "from 1s"),
            invalid(
                "Prometheus timeout of an hour",
                s -> s.getAnalysis().getPrometheus().setTimeout("1h"),
                "spec.analysis.prometheus.timeout",
                "from 1s to 5m"),
            invalid(
                "finalize naming one Deployment twice",
                s -> s.setFinalize(new Finalize(FinalizeMode.WaitForStable, "reviews", "reviews")),
                "spec.finalize",
                "same Deployment"),
            invalid(
                "finalize timeout of 0s",
                s -> {
                  s.setFinalize(new Finalize(FinalizeMode.WaitForStable, "a", "b"));
                  s.getFinalize().setTimeout("0s");
                },
                "spec.finalize.timeout"),
            invalid(
                "interval with a space",
                s -> s.getAnalysis().setInterval("1 m"),
                "spec.analysis.interval"),
            invalid(
                "negative window", s -> s.getAnalysis().setWindow("-5m"), "spec.analysis.window"),
            invalid(
                "errorRateRatio of 1",
                s -> s.getAnalysis().setErrorRateRatio(1.0),
                "spec.analysis.errorRateRatio",
                "greater than 1"),
            invalid(
                "errorRateRatio below 1",
                s -> s.getAnalysis().setErrorRateRatio(0.5),
                "spec.analysis.errorRateRatio"),
            invalid(
                "latencyIncrease of 0",
                s -> s.getAnalysis().setLatencyIncrease(0.0),
                "spec.analysis.latencyIncrease",
                "greater than 0"),
            invalid(
                "quantile of 1",
                s -> s.getAnalysis().setLatencyQuantile(1.0),
                "spec.analysis.latencyQuantile",
                "between 0 and 1"),
            invalid(
                "quantile of 0",
                s -> s.getAnalysis().setLatencyQuantile(0.0),
                "spec.analysis.latencyQuantile"),
            invalid(
                "confidence of 1 (certainty is never reached)",
                s -> s.getAnalysis().setConfidence(1.0),
                "spec.analysis.confidence",
                "at least 0.5 and below 1"),
            invalid(
                "confidence below one half",
                s -> s.getAnalysis().setConfidence(0.3),
                "spec.analysis.confidence",
                "0.99 means 99% sure"),
            invalid(
                "minErrorRate above 1",
                s -> s.getAnalysis().setMinErrorRate(1.5),
                "spec.analysis.minErrorRate"),
            invalid(
                "failureLimit 0",
                s -> s.getAnalysis().setFailureLimit(0),
                "spec.analysis.failureLimit"),
            invalid(
                "stable and canary the same",
                s -> s.setCanary(new Destination("reviews-stable", null, null)),
                "spec.canary",
                "same destination"),
            invalid(
                "same host and subset",
                s -> {
                  s.setStable(new Destination("reviews", "v1", null));
                  s.setCanary(new Destination("reviews", "v1", null));
                },
                "spec.canary",
                "same destination"),
            invalid(
                "no VirtualService name",
                s -> s.getVirtualService().setName(null),
                "spec.virtualService.name"),
            invalid("no stable", s -> s.setStable(null), "spec.stable"),
            invalid("no canary host", s -> s.getCanary().setHost(null), "spec.canary.host"),
            invalid(
                "host with spaces",
                s -> s.getStable().setHost("Reviews Stable"),
                "spec.stable.host"),
            invalid("port out of range", s -> s.getCanary().setPort(70000), "spec.canary.port"),
            invalid("no analysis", s -> s.setAnalysis(null), "spec.analysis"),
            invalid(
                "no Prometheus URL",
                s -> s.getAnalysis().getPrometheus().setUrl(null),
                "spec.analysis.prometheus.url"),
            invalid(
                "Prometheus URL not http",
                s -> s.getAnalysis().getPrometheus().setUrl("ftp://prometheus:9090"),
                "spec.analysis.prometheus.url"),
            invalid(
                "empty canary group",
                s -> s.setCanaryGroup(new CanaryGroup(List.of())),
                "spec.canaryGroup.match"),
            invalid(
                "match with exact and prefix",
                s -> {
                  StringMatch both = StringMatch.exact("true");
                  both.setPrefix("t");
                  RequestMatch m = new RequestMatch();
                  m.getHeaders().put("x-canary", both);
                  s.setCanaryGroup(new CanaryGroup(List.of(m)));
                },
                "spec.canaryGroup.match[0].headers[x-canary]",
                "exactly one of exact, prefix or regex"),
            invalid(
                "match without conditions",
                s -> s.setCanaryGroup(new CanaryGroup(List.of(new RequestMatch()))),
                "spec.canaryGroup.match[0]",
                "at least one of headers"),
            invalid(
                "metric check without bounds",
                s -> {
                  MetricCheck check = new MetricCheck();
                  check.setName("checkout-success");
                  check.setQuery("sum(rate(checkout_total[{{window}}]))");
                  s.getAnalysis().getMetrics().add(check);
                },
                "spec.analysis.metrics[0]",
                "needs min, max or maxRatio"))
        .map(c -> Arguments.of(c.what(), c));
  }

  static List<Step> steps(int... weights) {
    List<Step> steps = new ArrayList<>();
    for (int w : weights) {
      steps.add(new Step(w, null));
    }
    return steps;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidReleases")
  void isRefusedWithAMessageNamingTheField(String what, Case c, KubernetesClient client) {
    CanaryRelease bad = release("bad").build();
    c.breakIt().accept(bad.getSpec());

    assertThatThrownBy(() -> client.resource(bad).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              for (String expected : c.messageNames()) {
                assertThat(e.getMessage()).contains(expected);
              }
            });
    assertThat(client.resources(CanaryRelease.class).withName("bad").get())
        .as("nothing was stored")
        .isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownEnumValues")
  void unknownEnumValuesAreRefused(
      String field, Consumer<Map<String, Object>> breakIt, KubernetesClient client) {
    GenericKubernetesResource raw =
        client
            .getKubernetesSerialization()
            .convertValue(release("bad").build(), GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) raw.getAdditionalProperties().get("spec");
    breakIt.accept(spec);

    assertThatThrownBy(() -> client.resource(raw).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getMessage()).contains(field).contains("Unsupported value"));
  }

  @SuppressWarnings("unchecked")
  static Stream<Arguments> unknownEnumValues() {
    return Stream.of(
        Arguments.of(
            "spec.promotion", (Consumer<Map<String, Object>>) s -> s.put("promotion", "Sometimes")),
        Arguments.of(
            "spec.analysis.onNoData",
            (Consumer<Map<String, Object>>)
                s -> ((Map<String, Object>) s.get("analysis")).put("onNoData", "Ignore")),
        Arguments.of(
            "spec.analysis.latencyMeasure",
            (Consumer<Map<String, Object>>)
                s -> ((Map<String, Object>) s.get("analysis")).put("latencyMeasure", "Median")));
  }

  @Test
  void aValidReleaseIsAcceptedWithDefaultsFilledIn(KubernetesClient client) {
    Releases valid = release("good");
    valid.spec().getAnalysis().setWindow(null);
    valid.spec().getAnalysis().setErrorRateRatio(null);
    valid.spec().getAnalysis().setMethod(null);
    valid.spec().getAnalysis().setConfidence(null);
    CanaryRelease stored = client.resource(valid.build()).create();
    assertThat(stored.getSpec().getAnalysis().getWindow()).isEqualTo(AnalysisSpec.DEFAULT_WINDOW);
    assertThat(stored.getSpec().getAnalysis().getErrorRateRatio())
        .isEqualTo(AnalysisSpec.DEFAULT_ERROR_RATE_RATIO);
    // the CRD's defaults are the API classes' constants (one place for each default)
    assertThat(stored.getSpec().getAnalysis().getMethod()).isEqualTo(AnalysisSpec.DEFAULT_METHOD);
    assertThat(stored.getSpec().getAnalysis().getConfidence())
        .isEqualTo(AnalysisSpec.DEFAULT_CONFIDENCE);
    assertThat(stored.getSpec().getPromotion()).isEqualTo(Promotion.Automatic);
  }
}
