package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list", aliases = "ls", description = "List CanaryReleases.")
final class ListCommand implements Runnable {
  @ParentCommand KubectlCanary root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "list the releases of every namespace")
  boolean all;

  @Override
  public void run() {
    try (KubernetesClient client = root.client()) {
      var releases = client.resources(CanaryRelease.class);
      List<CanaryRelease> items =
          (all ? releases.inAnyNamespace().list() : releases.list()).getItems();
      PrintWriter out = KubectlCanary.out(spec);
      if (items.isEmpty()) {
        out.println(
            all
                ? "No resources found"
                : "No resources found in " + client.getNamespace() + " namespace.");
        return;
      }
      String format = (all ? "%-20s " : "%s") + "%-24s %-12s %-7s %-6s %s%n";
      out.printf(format, all ? "NAMESPACE" : "", "NAME", "PHASE", "WEIGHT", "STEP", "VERDICT");
      for (CanaryRelease r : items) {
        var s = r.getStatus();
        out.printf(
            format,
            all ? r.getMetadata().getNamespace() : "",
            r.getMetadata().getName(),
            s == null || s.getPhase() == null ? "" : s.getPhase(),
            s == null || s.getCanaryWeight() == null ? "" : s.getCanaryWeight() + "%",
            s == null || s.getCurrentStep() == null
                ? ""
                : s.getCurrentStep() + "/" + r.getSpec().getSteps().size(),
            s == null || s.getLastAnalysis() == null
                ? ""
                : Objects.toString(s.getLastAnalysis().getVerdict(), ""));
      }
      out.flush();
    }
  }
}
