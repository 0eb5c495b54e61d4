package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** spec.paused: desired state (under GitOps, Git may own it and win at the next sync). */
abstract class PauseCommand implements Runnable {
  @ParentCommand KubectlCanary root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(description = "the CanaryRelease")
  String name;

  abstract boolean paused();

  @Override
  public void run() {
    try (KubernetesClient client = root.client()) {
      KubectlCanary.release(client, name);
      client
          .resources(CanaryRelease.class)
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"paused\":" + paused() + "}}");
      KubectlCanary.out(spec)
          .println(
              "canaryrelease.canaryoperator.dev/" + name + (paused() ? " paused" : " resumed"));
    }
  }

  @Command(name = "pause", description = "Hold at the current step (spec.paused: true).")
  static final class Pause extends PauseCommand {
    @Override
    boolean paused() {
      return true;
    }
  }

  @Command(
      name = "resume",
      description = "Go on (spec.paused: false); the step is observed again from now.")
  static final class Resume extends PauseCommand {
    @Override
    boolean paused() {
      return false;
    }
  }
}
