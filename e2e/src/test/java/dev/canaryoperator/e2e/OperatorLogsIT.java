package dev.canaryoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Phase;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The shipped jar's logs: text by default, JSON with LOG_FORMAT=json, and in both every line of a
 * reconcile names the release it is about.
 */
class OperatorLogsIT extends MeshStackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void textByDefaultJsonOnRequestAndEveryReconcileLineNamesTheRelease() throws Exception {
    mesh = stack.mesh(MeshSpec.healthy("logs"));
    String ns = mesh.namespace();
    mesh.apply(
        ReleasePlan.of(Duration.ofMinutes(10), 10, 50).release("reviews", stack.prometheusUrl()));
    await("the rollout started")
        .atMost(Duration.ofSeconds(60))
        .until(() -> lines().stream().anyMatch(l -> l.contains("RolloutStarted")));
    String started =
        lines().stream().filter(l -> l.contains("RolloutStarted")).findFirst().orElseThrow();
    assertThat(started).contains("[" + ns + "/reviews]").doesNotStartWith("{");

    // the same operator, JSON this time; an abort makes it log a transition
    mesh.operator().stop();
    // from here on, only the JSON process writes
    int before = lines().size();
    mesh.operator().withEnvironment(Map.of("LOG_FORMAT", "json")).start();
    CanaryRelease running = mesh.release("reviews");
    String rollout = running.getStatus().getRolloutId() + "." + running.getStatus().getAttempt();
    stack
        .client()
        .resources(CanaryRelease.class)
        .inNamespace(ns)
        .withName("reviews")
        .edit(
            r -> {
              if (r.getMetadata().getAnnotations() == null) {
                r.getMetadata().setAnnotations(new java.util.HashMap<>());
              }
              r.getMetadata()
                  .getAnnotations()
                  .put(CanaryRelease.ABORT_ANNOTATION, rollout + "/logs-test");
              return r;
            });
    await("aborted")
        .atMost(Duration.ofSeconds(60))
        .until(() -> mesh.release("reviews").getStatus().getPhase() == Phase.RolledBack);
    await("the abort logged")
        .atMost(Duration.ofSeconds(10))
        .until(() -> aborted(lines().subList(before, lines().size())).isPresent());

    List<String> json =
        lines().subList(before, lines().size()).stream().filter(l -> !l.isBlank()).toList();
    for (String line : json) {
      assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
    }
    JsonNode abort = aborted(json).orElseThrow();
    assertThat(abort.path("mdc").path("resource.namespace").asText()).isEqualTo(ns);
    assertThat(abort.path("mdc").path("resource.name").asText()).isEqualTo("reviews");
  }

  private List<String> lines() throws Exception {
    return Files.readAllLines(mesh.operator().log());
  }

  private static Optional<JsonNode> aborted(List<String> lines) {
    return lines.stream()
        .filter(l -> l.startsWith("{") && l.contains("Aborted"))
        .map(
            l -> {
              try {
                return JSON.readTree(l);
              } catch (Exception e) {
                throw new AssertionError("not JSON: " + l, e);
              }
            })
        .findFirst();
  }
}
