package dev.canaryoperator.workload;

import dev.canaryoperator.rollout.StableReadiness;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Whether the stable Deployment runs what the canary runs and has finished rolling it out.
 *
 * <p>What runs is the pod template's {@code spec} (containers, images, commands, env, volumes,
 * resources...): compared whole. The template's labels and annotations are left out: they are what
 * tells the tracks apart (track: stable / canary, version labels, restart stamps), and the stable's
 * labels must keep matching its selector and its Service.
 */
public final class StableComparison {
  private StableComparison() {}

  public static StableReadiness of(
      Deployment stable, Deployment canary, String stableName, String canaryName) {
    if (stable == null) {
      return new StableReadiness(false, false, "Deployment " + stableName + " not found");
    }
    if (canary == null) {
      return new StableReadiness(false, false, "Deployment " + canaryName + " not found");
    }
    PodSpec stableSpec = podSpec(stable);
    PodSpec canarySpec = podSpec(canary);
    boolean runsCanary = Objects.equals(stableSpec, canarySpec);
    if (!runsCanary) {
      String stableImages = images(stableSpec);
      String canaryImages = images(canarySpec);
      String difference =
          stableImages.equals(canaryImages)
              ? "their pod specs differ beyond the images (" + stableImages + ")"
              : stableName + " runs " + stableImages + ", " + canaryName + " runs " + canaryImages;
      return new StableReadiness(
          false,
          false,
          "Deployment " + stableName + " to run the canary's pod spec: " + difference);
    }
    String rollout = rolloutGap(stable);
    return rollout == null
        ? new StableReadiness(true, true, null)
        : new StableReadiness(true, false, "Deployment " + stableName + "'s rollout: " + rollout);
  }

  /** What is left of the Deployment's rollout, or null when it is complete. */
  static String rolloutGap(Deployment d) {
    long generation = Objects.requireNonNullElse(d.getMetadata().getGeneration(), 0L);
    var status = d.getStatus();
    if (status == null
        || status.getObservedGeneration() == null
        || status.getObservedGeneration() < generation) {
      return "its controller has not seen generation " + generation + " yet";
    }
    int wanted = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    if (wanted == 0) {
      // nothing would serve the traffic handed back
      return "it is scaled to 0 replicas";
    }
    int total = Objects.requireNonNullElse(status.getReplicas(), 0);
    int updated = Objects.requireNonNullElse(status.getUpdatedReplicas(), 0);
    int available = Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
    if (updated >= wanted && available >= wanted && total <= wanted) {
      return null;
    }
    return updated
        + "/"
        + wanted
        + " updated, "
        + available
        + "/"
        + wanted
        + " available"
        + (total > wanted ? ", " + (total - wanted) + " old still running" : "");
  }

  private static PodSpec podSpec(Deployment d) {
    return d.getSpec() == null || d.getSpec().getTemplate() == null
        ? null
        : d.getSpec().getTemplate().getSpec();
  }

  private static String images(PodSpec spec) {
    List<Container> containers = spec == null ? List.of() : spec.getContainers();
    return containers.stream().map(Container::getImage).collect(Collectors.joining(", "));
  }
}
