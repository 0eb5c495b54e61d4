package dev.canaryoperator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canaryoperator.routing.RouteTarget;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import dev.canaryoperator.routing.TrafficRouter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopts an existing VirtualService and writes the split into it: never creates or recreates one,
 * never server-side-applies (Istio's route lists are atomic, SSA would take them over whole).
 * Updates carry the resourceVersion that was read; a 409 means someone else wrote in between, so it
 * reads again and reapplies only the fields it owns.
 */
public final class VirtualServiceRouter implements TrafficRouter {
  public static final String API_VERSION = "networking.istio.io/v1";
  public static final String KIND = "VirtualService";

  /**
   * The field manager of the operator's own writes (the API server takes it from the user agent,
   * which CanaryOperator.clientConfig sets), so that others' writes can be named.
   */
  public static final String FIELD_MANAGER = "canary-operator";

  private static final Logger log = LoggerFactory.getLogger(VirtualServiceRouter.class);
  private static final int MAX_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final KubernetesSerialization serialization;
  private final BiConsumer<GenericKubernetesResource, GenericKubernetesResource> ownWriteListener;
  private final BiFunction<String, String, Optional<GenericKubernetesResource>> cache;

  /**
   * @param ownWriteListener told about every successful write (previous, updated), so the informer
   *     does not mistake the operator's own change for someone else's
   */
  public VirtualServiceRouter(
      KubernetesClient client,
      BiConsumer<GenericKubernetesResource, GenericKubernetesResource> ownWriteListener) {
    this(client, ownWriteListener, (namespace, name) -> Optional.empty());
  }

  /**
   * @param cache the informer's copy by (namespace, name), read instead of the API server: it holds
   *     the operator's own writes at once (see ownWriteListener) and others' a moment later, with
   *     an event that reconciles again. A write made on a stale copy is refused (409) and retried
   *     on a fresh read; a VirtualService missing from it is read from the API server.
   */
  public VirtualServiceRouter(
      KubernetesClient client,
      BiConsumer<GenericKubernetesResource, GenericKubernetesResource> ownWriteListener,
      BiFunction<String, String, Optional<GenericKubernetesResource>> cache) {
    this.client = client;
    this.serialization = client.getKubernetesSerialization();
    this.ownWriteListener = ownWriteListener;
    this.cache = cache;
  }

  /**
   * The VirtualService as read once for a reconcile. {@link #apply} writes against this very
   * version, so a reconcile reads it only once.
   */
  public record VirtualServiceSnapshot(
      String name, GenericKubernetesResource resource, TrafficProblem problem, RouteWeights weights)
      implements Snapshot {
    @Override
    public String lastEditor() {
      if (resource == null || resource.getMetadata().getManagedFields() == null) {
        return null;
      }
      return resource.getMetadata().getManagedFields().stream()
          .filter(f -> !FIELD_MANAGER.equals(f.getManager()) && f.getTime() != null)
          .max(java.util.Comparator.comparing(f -> f.getTime()))
          .map(f -> f.getManager() + " (" + f.getOperation() + " at " + f.getTime() + ")")
          .orElse(null);
    }

    @Override
    public long generation() {
      Long generation = resource == null ? null : resource.getMetadata().getGeneration();
      return generation == null ? 0 : generation;
    }
  }

  /** A snapshot for a cluster without Istio's CRD: nothing to read, the problem says why. */
  public static Snapshot withoutIstio(String name) {
    return new VirtualServiceSnapshot(
        name,
        null,
        new TrafficProblem(
            TrafficProblem.Kind.VirtualServiceNotFound,
            "Istio's VirtualService CRD is not installed in this cluster; install Istio, then restart the operator"),
        null);
  }

  @Override
  public Snapshot read(String name, RouteTarget target) {
    GenericKubernetesResource vs =
        cache.apply(target.namespace(), name).orElseGet(() -> read(target.namespace(), name));
    TrafficProblem problem = problemWith(vs, name, target);
    RouteWeights weights =
        problem == null
            ? VirtualServiceRoutes.observedWeights(spec(vs), target).orElse(null)
            : null;
    return new VirtualServiceSnapshot(name, vs, problem, weights);
  }

  private TrafficProblem problemWith(
      GenericKubernetesResource vs, String name, RouteTarget target) {
    if (vs == null) {
      return notFound(target.namespace(), name);
    }
    VirtualServiceRoutes.Inspection inspection = VirtualServiceRoutes.inspect(spec(vs), target);
    return inspection.usable()
        ? null
        : new TrafficProblem(
            TrafficProblem.Kind.NoStableRoute,
            "VirtualService " + name + ": " + inspection.problem());
  }

  @Override
  public Outcome apply(Snapshot snapshot, RouteTarget target, RouteWeights weights) {
    VirtualServiceSnapshot read = (VirtualServiceSnapshot) snapshot;
    String name = read.name();
    GenericKubernetesResource current = read.resource();
    for (int attempt = 1; ; attempt++) {
      if (attempt > 1) {
        current = read(target.namespace(), name);
      }
      TrafficProblem problem = problemWith(current, name, target);
      if (problem != null) {
        return new Outcome(problem, false);
      }
      JsonNode spec = spec(current);
      ObjectNode rewritten = VirtualServiceRoutes.rewrite(spec, target, weights);
      if (rewritten.equals(spec)) {
        return new Outcome(null, false);
      }
      GenericKubernetesResource desired = serialization.clone(current);
      desired.setAdditionalProperty("spec", serialization.convertValue(rewritten, Map.class));
      try {
        GenericKubernetesResource updated =
            client
                .genericKubernetesResources(API_VERSION, KIND)
                .inNamespace(target.namespace())
                .resource(desired)
                .update();
        ownWriteListener.accept(current, updated);
        return new Outcome(null, true);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409 && attempt < MAX_ATTEMPTS) {
          log.debug(
              "VirtualService {}/{} changed while we wrote it (attempt {}), reading it again",
              target.namespace(),
              name,
              attempt);
          continue;
        }
        if (e.getCode() == 404) {
          return new Outcome(notFound(target.namespace(), name), false);
        }
        throw e;
      }
    }
  }

  private GenericKubernetesResource read(String namespace, String name) {
    try {
      return client
          .genericKubernetesResources(API_VERSION, KIND)
          .inNamespace(namespace)
          .withName(name)
          .get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        // The CRD itself is missing: Istio is not installed.
        return null;
      }
      throw e;
    }
  }

  private JsonNode spec(GenericKubernetesResource vs) {
    Object spec = vs.getAdditionalProperties().get("spec");
    return spec == null
        ? serialization.convertValue(Map.of(), JsonNode.class)
        : serialization.convertValue(spec, JsonNode.class);
  }

  private static TrafficProblem notFound(String namespace, String name) {
    return new TrafficProblem(
        TrafficProblem.Kind.VirtualServiceNotFound,
        "VirtualService "
            + namespace
            + "/"
            + name
            + " not found (is Istio installed and spec.virtualService.name right?); waiting for it");
  }
}
