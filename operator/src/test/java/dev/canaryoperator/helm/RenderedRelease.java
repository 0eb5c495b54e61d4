package dev.canaryoperator.helm;

import dev.canaryoperator.testing.Helm;
import dev.canaryoperator.testing.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What `helm template` renders for one release, applied to the API server as cluster admin. */
final class RenderedRelease {
  private final String namespace;
  private final List<HasMetadata> objects;

  private RenderedRelease(String namespace, List<HasMetadata> objects) {
    this.namespace = namespace;
    this.objects = objects;
  }

  /**
   * Cluster-scoped names derive from the release name; the test namespace's random suffix keeps
   * them apart.
   */
  static String releaseName(TestNamespace ns) {
    return "crel-" + ns.name().substring(ns.name().lastIndexOf('-') + 1);
  }

  /** The release's full name (chart name appended), which names its RBAC objects. */
  static String fullName(TestNamespace ns) {
    return releaseName(ns) + "-canary-operator";
  }

  /**
   * Renders the chart and applies every object, CRD included, the way `helm install` would create
   * them.
   */
  static RenderedRelease install(
      KubernetesClient admin, String release, String namespace, Map<String, String> values) {
    String yaml = Helm.fromBuild().template(release, namespace, values);
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    for (HasMetadata object : objects) {
      admin.resource(object).serverSideApply();
    }
    return new RenderedRelease(namespace, objects);
  }

  /** "Kind namespace/name" of every rendered object, namespace empty for cluster-scoped ones. */
  List<String> describe() {
    return objects.stream()
        .map(
            o ->
                o.getKind()
                    + " "
                    + (o.getMetadata().getNamespace() == null
                        ? ""
                        : o.getMetadata().getNamespace() + "/")
                    + o.getMetadata().getName())
        .toList();
  }

  List<String> names(String kind) {
    return objects.stream()
        .filter(o -> o.getKind().equals(kind))
        .map(o -> o.getMetadata().getName())
        .toList();
  }

  String serviceAccount() {
    List<HasMetadata> accounts = objects.stream().filter(ServiceAccount.class::isInstance).toList();
    if (accounts.size() != 1) {
      throw new AssertionError(
          "expected exactly one ServiceAccount in the rendered chart, got " + describe());
    }
    return accounts.get(0).getMetadata().getName();
  }

  /**
   * Client configuration that acts as the chart's ServiceAccount: the user name and groups a pod's
   * token would carry (the API server adds system:authenticated itself), so the chart's RBAC and
   * nothing else decides what it may do.
   */
  Config asServiceAccount(Config admin) {
    return new ConfigBuilder(admin)
        .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + serviceAccount())
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace)
        .build();
  }
}
