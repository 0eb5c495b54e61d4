package dev.canaryoperator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.testsupport.RepoScript;
import dev.canaryoperator.testsupport.RepositoryRoot;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Argo CD's own engine on our customizations (argocd/harness, built by scripts/argocd-harness.sh):
 * the health Argo CD would show for a live CanaryRelease, and the patch it would apply for an
 * action, applied the way Argo CD applies it (a JSON merge patch).
 */
public final class ArgoCd {
  /** What Argo CD shows for a resource. */
  public record Health(String status, String message) {}

  private final Path harness;
  private final Path configMap;

  private ArgoCd(Path harness, Path configMap) {
    this.harness = harness;
    this.configMap = configMap;
  }

  public static ArgoCd fromBuild() throws IOException, InterruptedException {
    RepositoryRoot root = RepositoryRoot.locate();
    Path harness = new RepoScript(root.resolve("scripts/argocd-harness.sh")).printedPath();
    return new ArgoCd(harness, root.resolve("argocd/argocd-cm.yaml"));
  }

  public Health health(KubernetesClient client, CanaryRelease live) {
    JsonNode out =
        client
            .getKubernetesSerialization()
            .unmarshal(run(client, live, "health", configMap.toString(), "-"), JsonNode.class);
    return new Health(out.path("status").asText(), out.path("message").asText());
  }

  /** Runs the action as Argo CD would on the live object, and applies the patch it makes. */
  public String act(KubernetesClient client, CanaryRelease live, String action) {
    String patch = run(client, live, "action", configMap.toString(), action, "-");
    client
        .resources(CanaryRelease.class)
        .withName(live.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    return patch;
  }

  /**
   * Whether Argo CD would show the live object as Synced with the Git manifest, under the
   * Application's ignoreDifferences (Argo CD's own ignore normalizer and diff).
   */
  public boolean synced(Path application, Path gitManifest, Path liveManifest) {
    Finished diff = exec("diff", application, gitManifest, liveManifest);
    return switch (diff.exit()) {
      case 0 -> true;
      case 3 -> false;
      default -> throw new IllegalStateException("harness diff failed: " + diff.out());
    };
  }

  /**
   * The object Argo CD's sync would apply for the Git manifest, under the Application's
   * ignoreDifferences and sync options (RespectIgnoreDifferences keeps the ignored fields' live
   * values), as JSON.
   */
  public String syncTarget(Path application, Path gitManifest, Path liveManifest) {
    Finished sync = exec("sync", application, gitManifest, liveManifest);
    if (sync.exit() != 0) {
      throw new IllegalStateException("harness sync failed: " + sync.out());
    }
    return sync.out().trim();
  }

  private record Finished(int exit, String out) {}

  private Finished exec(String command, Path application, Path gitManifest, Path liveManifest) {
    List<String> line =
        List.of(
            harness.toString(),
            command,
            configMap.toString(),
            application.toString(),
            gitManifest.toString(),
            liveManifest.toString());
    try {
      // stdout is the answer; what the harness logs goes to the test's own log
      Process process =
          new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(String.join(" ", line) + " did not finish");
      }
      return new Finished(process.exitValue(), out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + harness, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + harness, e);
    }
  }

  private String run(KubernetesClient client, CanaryRelease live, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of(harness.toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).start();
      process
          .getOutputStream()
          .write(client.getKubernetesSerialization().asJson(live).getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out + err);
      }
      return out.trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + harness, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + harness, e);
    }
  }
}
