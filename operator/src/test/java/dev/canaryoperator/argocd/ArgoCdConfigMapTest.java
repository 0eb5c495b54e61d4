package dev.canaryoperator.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * argocd/argocd-cm.yaml is generated from the customizations in Argo CD's own layout
 * (argocd/resource_customizations/canaryoperator.dev/CanaryRelease): this test fails when the two
 * drift apart, and {@code -Dargocd.update=true} writes the snippet again.
 */
class ArgoCdConfigMapTest {
  static final Path ARGOCD = Path.of(System.getProperty("argocd.dir", "../argocd"));
  static final Path CUSTOMIZATIONS =
      ARGOCD.resolve("resource_customizations/canaryoperator.dev/CanaryRelease");
  static final Path SNIPPET = ARGOCD.resolve("argocd-cm.yaml");
  static final String KEY = "canaryoperator.dev_CanaryRelease";

  @Test
  void theConfigMapSnippetCarriesExactlyTheCustomizations() throws IOException {
    String expected = snippet();
    if (Boolean.getBoolean("argocd.update")) {
      Files.writeString(SNIPPET, expected);
    }
    assertThat(Files.readString(SNIPPET))
        .as(
            "%s is out of date with %s: run ./mvnw -pl operator test -Dtest=ArgoCdConfigMapTest"
                + " -Dargocd.update=true and commit it",
            SNIPPET, CUSTOMIZATIONS)
        .isEqualTo(expected);
  }

  @Test
  void everyActionHasATestAndEveryPhaseAHealthTest() throws IOException {
    String actionTests = Files.readString(CUSTOMIZATIONS.resolve("actions/action_test.yaml"));
    for (String action : actions()) {
      assertThat(actionTests).as("action tests").contains("action: " + action + "\n");
    }
    String healthTests = Files.readString(CUSTOMIZATIONS.resolve("health_test.yaml"));
    for (dev.canaryoperator.api.Phase phase : dev.canaryoperator.api.Phase.values()) {
      assertThat(healthTests).as("health tests").contains("message: \"" + phase.name() + ": ");
    }
  }

  static List<String> actions() throws IOException {
    try (Stream<Path> dirs = Files.list(CUSTOMIZATIONS.resolve("actions"))) {
      return dirs.filter(d -> Files.exists(d.resolve("action.lua")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  static String snippet() throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Generated from resource_customizations/canaryoperator.dev/CanaryRelease; do not")
        .append(" edit.\n")
        .append("# Merge the data keys into Argo CD's argocd-cm, e.g. kubectl -n argocd patch cm")
        .append(" argocd-cm --patch-file argocd/argocd-cm.yaml\n")
        .append("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n")
        .append("  labels:\n    app.kubernetes.io/name: argocd-cm\n")
        .append("    app.kubernetes.io/part-of: argocd\ndata:\n");
    yaml.append("  resource.customizations.health.")
        .append(KEY)
        .append(": |\n")
        .append(indent(Files.readString(CUSTOMIZATIONS.resolve("health.lua")), 4));
    yaml.append("  resource.customizations.actions.").append(KEY).append(": |\n");
    yaml.append("    discovery.lua: |\n")
        .append(indent(Files.readString(CUSTOMIZATIONS.resolve("actions/discovery.lua")), 6));
    yaml.append("    definitions:\n");
    for (String action : actions()) {
      yaml.append("    - name: ").append(action).append("\n      action.lua: |\n");
      yaml.append(
          indent(Files.readString(CUSTOMIZATIONS.resolve("actions/" + action + "/action.lua")), 8));
    }
    return yaml.toString();
  }

  private static String indent(String text, int spaces) {
    String pad = " ".repeat(spaces);
    return text.lines().map(l -> l.isEmpty() ? "" : pad + l).collect(Collectors.joining("\n"))
        + "\n";
  }
}
