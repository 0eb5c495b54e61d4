package dev.canaryoperator.e2e;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Step;
import dev.canaryoperator.api.VirtualServiceRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A CanaryRelease for a {@link Mesh} with the timings shortened from minutes to seconds, and
 * everything else at the API's defaults (errorRateRatio 2.0, minErrorRate 1%, latencyIncrease 10%
 * on the mean, failureLimit 1, onNoData Hold).
 */
public record ReleasePlan(List<Stage> stages, Duration interval, Duration window, int minRequests) {

  public record Stage(int weight, Duration duration) {}

  public ReleasePlan {
    stages = List.copyOf(stages);
  }

  /**
   * Every step lasts {@code stepDuration}; analysis every 3 s over 10 s, judged from 5 canary
   * requests.
   */
  public static ReleasePlan of(Duration stepDuration, int... weights) {
    List<Stage> stages = new ArrayList<>();
    for (int w : weights) {
      stages.add(new Stage(w, stepDuration));
    }
    return new ReleasePlan(stages, Duration.ofSeconds(3), Duration.ofSeconds(10), 5);
  }

  public ReleasePlan interval(Duration value) {
    return new ReleasePlan(stages, value, window, minRequests);
  }

  public ReleasePlan window(Duration value) {
    return new ReleasePlan(stages, interval, value, minRequests);
  }

  public ReleasePlan minRequests(int value) {
    return new ReleasePlan(stages, interval, window, value);
  }

  /** This plan with the step of the given weight lasting {@code duration}. */
  public ReleasePlan stepDuration(int weight, Duration duration) {
    return new ReleasePlan(
        stages.stream().map(s -> s.weight() == weight ? new Stage(weight, duration) : s).toList(),
        interval,
        window,
        minRequests);
  }

  public List<Integer> weights() {
    return stages.stream().map(Stage::weight).toList();
  }

  /** The release for a mesh's VirtualService, judged by the Prometheus at {@code prometheus}. */
  public CanaryRelease release(String name, URI prometheus) {
    CanaryReleaseSpec spec = new CanaryReleaseSpec();
    spec.setVirtualService(new VirtualServiceRef(Mesh.VIRTUAL_SERVICE, List.of()));
    spec.setStable(new Destination(Mesh.STABLE_HOST, null, null));
    spec.setCanary(new Destination(Mesh.CANARY_HOST, null, null));
    spec.setSteps(
        stages.stream().map(s -> new Step(s.weight(), Durations.format(s.duration()))).toList());
    AnalysisSpec analysis = new AnalysisSpec(new PrometheusSpec(prometheus.toString()));
    analysis.setInterval(Durations.format(interval));
    analysis.setWindow(Durations.format(window));
    analysis.setMinRequests(minRequests);
    spec.setAnalysis(analysis);
    CanaryRelease release = new CanaryRelease();
    release.setMetadata(new ObjectMetaBuilder().withName(name).build());
    release.setSpec(spec);
    return release;
  }
}
