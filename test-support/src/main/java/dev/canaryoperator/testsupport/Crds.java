package dev.canaryoperator.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CustomResourceDefinitions from classpath resources: the operator's generated one and Istio's,
 * which the users' builds put there. Creating a custom resource right after its CRD fails until the
 * API server reports it Established, so {@link #install} waits for that.
 */
public final class Crds {
  private Crds() {}

  /** Applies every CRD in the given YAML resources, then waits until each is Established. */
  public static void install(KubernetesClient client, List<String> resources) {
    List<HasMetadata> crds = new ArrayList<>();
    for (String resource : resources) {
      crds.addAll(load(client, resource));
    }
    for (HasMetadata crd : crds) {
      client.resource(crd).serverSideApply();
    }
    for (HasMetadata crd : crds) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(Crds::established, 60, TimeUnit.SECONDS);
    }
  }

  /** The objects in a YAML resource on the classpath. */
  public static List<HasMetadata> load(KubernetesClient client, String resource) {
    try (InputStream in = Crds.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource
                + " is not on the classpath (build through Maven: it generates the"
                + " CanaryRelease CRD and copies Istio's)");
      }
      return client.load(in).items();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }
}
