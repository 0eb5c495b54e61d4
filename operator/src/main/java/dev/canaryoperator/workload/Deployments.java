package dev.canaryoperator.workload;

import dev.canaryoperator.rollout.StableReadiness;
import dev.canaryoperator.rollout.StepPlan.FinalizePlan;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stable and canary Deployments of a release with spec.finalize: read for finalisation and for
 * the rollout identity; written only under CopyToStable (the pod template, the canary's replicas),
 * by JSON merge patch of exactly those fields.
 */
public final class Deployments {
  private static final Logger log = LoggerFactory.getLogger(Deployments.class);

  private final KubernetesClient client;
  private final BiFunction<String, String, Optional<Deployment>> cache;

  /**
   * @param cache the Deployments as an informer holds them (namespace, name), which also wakes the
   *     release up when they change; the API server is asked when it holds nothing
   */
  public Deployments(
      KubernetesClient client, BiFunction<String, String, Optional<Deployment>> cache) {
    this.client = client;
    this.cache = cache;
  }

  /** Both Deployments as read once for a reconcile. */
  public record Pair(Deployment stable, Deployment canary, FinalizePlan plan) {
    public StableReadiness readiness() {
      return StableComparison.of(stable, canary, plan.stableDeployment(), plan.canaryDeployment());
    }

    /**
     * A short hash of the canary's pod spec, or null when it cannot be read: a new image (or any
     * change of what runs) starts a new rollout without editing the CanaryRelease.
     */
    public String canaryRevision(KubernetesSerialization json) {
      if (canary == null || canary.getSpec() == null || canary.getSpec().getTemplate() == null) {
        return null;
      }
      try {
        byte[] podSpec =
            json.asJson(canary.getSpec().getTemplate().getSpec()).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(podSpec), 0, 6);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
  }

  public Pair read(String namespace, FinalizePlan plan) {
    return new Pair(
        get(namespace, plan.stableDeployment()), get(namespace, plan.canaryDeployment()), plan);
  }

  private Deployment get(String namespace, String name) {
    Optional<Deployment> cached = cache.apply(namespace, name);
    if (cached.isPresent()) {
      return cached.get();
    }
    try {
      return client.apps().deployments().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        log.warn(
            "not allowed to read Deployment {}/{} (RBAC): {}", namespace, name, e.getMessage());
        return null;
      }
      throw e;
    }
  }

  /**
   * Replaces the stable Deployment's pod spec with the canary's (a JSON patch, so fields only the
   * stable had go too); its labels and annotations stay its own.
   */
  public void copyCanaryToStable(String namespace, Pair pair) {
    if (pair.stable() == null || pair.canary() == null) {
      return;
    }
    String spec =
        client.getKubernetesSerialization().asJson(pair.canary().getSpec().getTemplate().getSpec());
    patch(
        namespace,
        pair.plan().stableDeployment(),
        PatchType.JSON,
        "[{\"op\":\"replace\",\"path\":\"/spec/template/spec\",\"value\":" + spec + "}]");
  }

  public void scaleCanaryToZero(String namespace, Pair pair) {
    if (pair.canary() == null || Objects.equals(pair.canary().getSpec().getReplicas(), 0)) {
      return;
    }
    patch(
        namespace,
        pair.plan().canaryDeployment(),
        PatchType.JSON_MERGE,
        "{\"spec\":{\"replicas\":0}}");
  }

  private void patch(String namespace, String name, PatchType type, String body) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(name)
        .patch(new PatchContext.Builder().withPatchType(type).build(), body);
  }
}
