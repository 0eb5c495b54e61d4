package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    description =
        "For pipelines: wait for the release to end. Exit 0 when Promoted or Completed, 1 when"
            + " RolledBack or Failed, 2 on timeout; one line says why.")
final class StatusCommand implements Callable<Integer> {
  static final int TIMED_OUT = 2;

  @ParentCommand KubectlCanary root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(description = "the CanaryRelease")
  String name;

  @Option(names = "--timeout", description = "how long to wait, e.g. 30s, 10m (default 1h)")
  String timeout = "1h";

  @Override
  public Integer call() throws InterruptedException {
    Duration limit = Durations.parse("--timeout", timeout, Duration.ZERO, Duration.ofDays(30));
    Instant deadline = Instant.now().plus(limit);
    try (KubernetesClient client = root.client()) {
      while (true) {
        CanaryRelease release = KubectlCanary.release(client, name);
        var status = release.getStatus();
        Phase phase = status == null ? null : status.getPhase();
        String line =
            name
                + ": "
                + phase
                + (status == null || status.getMessage() == null ? "" : ": " + status.getMessage());
        if (phase == Phase.Promoted || phase == Phase.Completed) {
          KubectlCanary.out(spec).println(line);
          return 0;
        }
        if (phase == Phase.RolledBack || phase == Phase.Failed) {
          KubectlCanary.out(spec).println(line);
          return KubectlCanary.ERROR;
        }
        if (!Instant.now().isBefore(deadline)) {
          KubectlCanary.out(spec).println(name + ": still " + phase + " after " + timeout);
          return TIMED_OUT;
        }
        Thread.sleep(
            Math.min(1000, Math.max(10, Duration.between(Instant.now(), deadline).toMillis())));
      }
    }
  }
}
