package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    description =
        "Show a release: its steps (the current one marked), the split, the last analysis with"
            + " both sides' numbers and the verdict, the history.")
final class GetCommand implements Runnable {
  @ParentCommand KubectlCanary root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(description = "the CanaryRelease")
  String name;

  @Option(
      names = {"-w", "--watch"},
      description = "redraw as the release moves; ends when it reaches a final phase")
  boolean watch;

  @Option(
      names = {"-o", "--output"},
      description = "json or yaml: the object as the API server holds it")
  String output;

  /** As kubectl prints it: managed fields left out, JSON indented. */
  private String serialized(KubernetesClient client, CanaryRelease release) {
    release.getMetadata().setManagedFields(null);
    var json = client.getKubernetesSerialization();
    if (output.equals("yaml")) {
      return json.asYaml(release);
    }
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValueAsString(
              json.convertValue(release, com.fasterxml.jackson.databind.JsonNode.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void run() {
    if (output != null && !output.equals("json") && !output.equals("yaml")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "unable to match a printer suitable for the output format \""
              + output
              + "\", allowed formats are: json,yaml");
    }
    PrintWriter out = KubectlCanary.out(spec);
    try (KubernetesClient client = root.client()) {
      String last = null;
      while (true) {
        CanaryRelease release = KubectlCanary.release(client, name);
        String shown = output == null ? ReleaseView.render(release) : serialized(client, release);
        if (!shown.equals(last)) {
          if (watch && last != null) {
            out.println("---");
          }
          out.print(shown);
          if (!shown.endsWith("\n")) {
            out.println();
          }
          out.flush();
          last = shown;
        }
        if (!watch || ReleaseView.settled(release)) {
          return;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
