package dev.canaryoperator.testing;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryGroup;
import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.Finalize;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.OnDelete;
import dev.canaryoperator.api.OnNoData;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.RequestMatch;
import dev.canaryoperator.api.Step;
import dev.canaryoperator.api.VirtualServiceRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Readable builders for CanaryRelease test fixtures. */
public final class Releases {
  private final CanaryRelease release = new CanaryRelease();
  private final CanaryReleaseSpec spec = new CanaryReleaseSpec();

  private Releases(String name) {
    release.setMetadata(new ObjectMetaBuilder().withName(name).build());
    release.setSpec(spec);
    spec.setVirtualService(new VirtualServiceRef("reviews", List.of()));
    spec.setStable(new Destination("reviews-stable", null, null));
    spec.setCanary(new Destination("reviews-canary", null, null));
    steps(5, 10, 25, 50, 100);
    spec.setStepDuration("2m");
    AnalysisSpec analysis =
        new AnalysisSpec(new PrometheusSpec("http://prometheus.istio-system:9090"));
    analysis.setInterval("1m");
    spec.setAnalysis(analysis);
  }

  /**
   * "reviews": reviews-stable and reviews-canary hosts, steps 5/10/25/50/100 of 2m, analysis every
   * 1m.
   */
  public static Releases release(String name) {
    return new Releases(name);
  }

  public Releases virtualService(String name, String... routes) {
    spec.setVirtualService(new VirtualServiceRef(name, Arrays.asList(routes)));
    return this;
  }

  public Releases stable(String host, String subset) {
    spec.setStable(new Destination(host, subset, null));
    return this;
  }

  public Releases canary(String host, String subset) {
    spec.setCanary(new Destination(host, subset, null));
    return this;
  }

  public Releases steps(int... weights) {
    List<Step> steps = new ArrayList<>();
    for (int w : weights) {
      steps.add(new Step(w, null));
    }
    spec.setSteps(steps);
    return this;
  }

  public Releases stepDuration(String duration) {
    spec.setStepDuration(duration);
    return this;
  }

  public Releases interval(String interval) {
    spec.getAnalysis().setInterval(interval);
    return this;
  }

  public Releases failureLimit(int limit) {
    spec.getAnalysis().setFailureLimit(limit);
    return this;
  }

  public Releases onNoData(OnNoData onNoData) {
    spec.getAnalysis().setOnNoData(onNoData);
    return this;
  }

  public Releases manualPromotion() {
    spec.setPromotion(Promotion.Manual);
    return this;
  }

  public Releases revision(String revision) {
    spec.setRevision(revision);
    return this;
  }

  public Releases paused(boolean paused) {
    spec.setPaused(paused);
    return this;
  }

  public Releases canaryGroupHeader(String header, String exactValue) {
    spec.setCanaryGroup(new CanaryGroup(List.of(RequestMatch.header(header, exactValue))));
    return this;
  }

  public Releases canaryHeader(String header, String value) {
    spec.setCanaryHeaders(new CanaryHeaders(Map.of(header, value)));
    return this;
  }

  /** spec.finalize with the Deployments "reviews-stable" and "reviews-canary". */
  public Releases finalize(FinalizeMode mode, String timeout) {
    Finalize finalize = new Finalize(mode, "reviews-stable", "reviews-canary");
    finalize.setTimeout(timeout);
    spec.setFinalize(finalize);
    return this;
  }

  public Releases scaleCanaryToZero() {
    spec.getFinalize().setScaleCanaryToZero(true);
    return this;
  }

  public Releases onDelete(OnDelete onDelete) {
    spec.setOnDelete(onDelete);
    return this;
  }

  public CanaryReleaseSpec spec() {
    return spec;
  }

  public CanaryRelease build() {
    return release;
  }
}
