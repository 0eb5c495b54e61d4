package dev.canaryoperator.argocd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.testing.ArgoCd;
import dev.canaryoperator.testsupport.RepositoryRoot;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The testdata of the Argo CD customizations are live objects of the releases {@link ArgoCdIT}
 * drives, saved with {@code -Dargocd.testdata.update=true} and checked on every other run: a file
 * holding a field the operator no longer writes, missing a status field it now writes, or whose
 * health.lua expectation differs from what Argo CD shows for the live object, fails the IT.
 *
 * <p>Saving keeps what a user's object has and drops what differs per run or per cluster: the uid,
 * timestamps, managed fields, the namespace, the resourceVersion and the rollout id (fixed values
 * instead, so the action tests' expected outputs stay readable).
 */
final class SavedReleases {
  static final String ROLLOUT_ID = "3f2a9c1b7d00";
  static final String RESOURCE_VERSION = "4711";
  private static final String TIME = "2026-11-25T10:30:00Z";
  private static final boolean UPDATE = Boolean.getBoolean("argocd.testdata.update");

  private final KubernetesClient client;
  private final ArgoCd argoCd;
  private final Path customization;

  SavedReleases(KubernetesClient client, ArgoCd argoCd) {
    this.client = client;
    this.argoCd = argoCd;
    try {
      this.customization =
          RepositoryRoot.locate()
              .resolve("argocd/resource_customizations/canaryoperator.dev/CanaryRelease");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Checks (or saves) testdata/{name}.yaml against the live object. */
  void check(String name, CanaryRelease live) {
    Path file = customization.resolve("testdata").resolve(name + ".yaml");
    ObjectNode saved = normalized(live);
    CanaryRelease asSaved =
        client.getKubernetesSerialization().convertValue(saved, CanaryRelease.class);
    if (UPDATE) {
      write(file, saved);
      System.out.printf(
          "saved %s: Argo CD shows %s%n", file.getFileName(), argoCd.health(client, asSaved));
      return;
    }
    JsonNode inRepo = read(file);
    String refresh =
        "; refresh with ./mvnw -pl operator verify -Dit.test=ArgoCdIT -Dargocd.testdata.update=true";
    assertThat(paths(saved, "", new TreeSet<>()))
        .as("testdata/%s.yaml holds fields the operator no longer writes%s", name, refresh)
        .containsAll(paths(inRepo, "", new TreeSet<>()));
    assertThat(keys(inRepo.path("status")))
        .as("status fields the operator writes and testdata/%s.yaml lacks%s", name, refresh)
        .containsAll(keys(saved.path("status")));
    assertThat(argoCd.health(client, asSaved))
        .as("health_test.yaml's expectation for testdata/%s.yaml, against this run's object", name)
        .isEqualTo(expectedHealth("testdata/" + name + ".yaml"));
  }

  /**
   * Saves (in update mode) an action's expected output: the saved input with the change the action
   * must make, written here independently of the Lua script that makes it.
   */
  void expectAction(String input, String action, Map<String, String> annotations, Boolean paused) {
    if (!UPDATE) {
      return;
    }
    ObjectNode expected = (ObjectNode) read(customization.resolve("testdata/" + input + ".yaml"));
    ObjectNode metadata = (ObjectNode) expected.path("metadata");
    if (!annotations.isEmpty()) {
      ObjectNode existing =
          metadata.has("annotations")
              ? (ObjectNode) metadata.get("annotations")
              : metadata.putObject("annotations");
      annotations.forEach(existing::put);
    }
    if (paused != null) {
      ((ObjectNode) expected.path("spec")).put("paused", paused);
    }
    write(customization.resolve("testdata/" + input + "_" + action + ".yaml"), expected);
  }

  private ObjectNode normalized(CanaryRelease live) {
    String rolloutId = live.getStatus() == null ? null : live.getStatus().getRolloutId();
    String json =
        client
            .getKubernetesSerialization()
            .asJson(live)
            .replace(live.getMetadata().getNamespace(), "bookinfo");
    if (rolloutId != null) {
      json = json.replace(rolloutId, ROLLOUT_ID);
    }
    json =
        json.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", TIME)
            .replaceAll("/argocd-\\d+", "/argocd-" + RESOURCE_VERSION);
    ObjectNode node =
        (ObjectNode) client.getKubernetesSerialization().unmarshal(json, JsonNode.class);
    ObjectNode metadata = (ObjectNode) node.get("metadata");
    metadata.remove(Set.of("uid", "creationTimestamp", "managedFields", "selfLink"));
    metadata.put("resourceVersion", RESOURCE_VERSION);
    return node;
  }

  private ArgoCd.Health expectedHealth(String inputPath) {
    for (JsonNode test : read(customization.resolve("health_test.yaml")).path("tests")) {
      if (test.path("inputPath").asText().equals(inputPath)) {
        JsonNode health = test.path("healthStatus");
        return new ArgoCd.Health(health.path("status").asText(), health.path("message").asText());
      }
    }
    throw new AssertionError("health_test.yaml has no test for " + inputPath);
  }

  /** Every field path, list elements merged (their count differs from run to run). */
  private static Set<String> paths(JsonNode node, String prefix, Set<String> into) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String path = prefix + "." + field.getKey();
        into.add(path);
        paths(field.getValue(), path, into);
      }
    } else if (node.isArray()) {
      node.forEach(element -> paths(element, prefix + "[]", into));
    }
    return into;
  }

  private static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private JsonNode read(Path file) {
    try {
      return client.getKubernetesSerialization().unmarshal(Files.readString(file), JsonNode.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Path file, JsonNode node) {
    try {
      Files.writeString(file, client.getKubernetesSerialization().asYaml(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
