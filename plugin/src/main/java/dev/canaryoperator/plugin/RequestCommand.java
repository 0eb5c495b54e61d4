package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The requests: an annotation bound to the release's current rollout and attempt, as the README
 * describes, so that the operator acts on it once and on nothing else.
 */
abstract class RequestCommand implements Runnable {
  @ParentCommand KubectlCanary root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(description = "the CanaryRelease")
  String name;

  abstract String annotation();

  /** What follows the request id, or null. */
  String reason() {
    return null;
  }

  @Override
  public void run() {
    try (KubernetesClient client = root.client()) {
      CanaryRelease release = KubectlCanary.release(client, name);
      if (release.getStatus() == null || release.getStatus().getRolloutId() == null) {
        throw new IllegalStateException(
            "canaryreleases \"" + name + "\" has no rollout yet: nothing to " + spec.name());
      }
      String value =
          release.getStatus().getRolloutId()
              + "."
              + Objects.requireNonNullElse(release.getStatus().getAttempt(), 1)
              + "/kubectl-"
              + System.currentTimeMillis()
              + (reason() == null ? "" : " " + reason());
      // a merge patch of the one annotation: no conflict with the operator's status writes
      String patch =
          client
              .getKubernetesSerialization()
              .asJson(Map.of("metadata", Map.of("annotations", Map.of(annotation(), value))));
      client
          .resources(CanaryRelease.class)
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      KubectlCanary.out(spec)
          .println(
              "canaryrelease.canaryoperator.dev/"
                  + name
                  + " "
                  + spec.name()
                  + " requested (the operator acts once; see kubectl canary get "
                  + name
                  + ")");
    }
  }

  @Command(
      name = "promote",
      description =
          "Promote a release waiting at its last step; --full: straight to 100% from any step.")
  static final class Promote extends RequestCommand {
    @Option(names = "--full", description = "skip the remaining steps and their analysis")
    boolean full;

    @Override
    String annotation() {
      return full ? CanaryRelease.PROMOTE_FULL_ANNOTATION : CanaryRelease.PROMOTE_ANNOTATION;
    }
  }

  @Command(name = "abort", description = "Roll back now: the canary at 0 in one write.")
  static final class Abort extends RequestCommand {
    @Option(names = "--reason", description = "shown in the status, history and event")
    String reason;

    @Override
    String annotation() {
      return CanaryRelease.ABORT_ANNOTATION;
    }

    @Override
    String reason() {
      return reason;
    }
  }

  @Command(name = "retry", description = "Start a rolled-back release again, as a new attempt.")
  static final class Retry extends RequestCommand {
    @Override
    String annotation() {
      return CanaryRelease.RETRY_ANNOTATION;
    }
  }
}
