package dev.canaryoperator.helm;

import dev.canaryoperator.testing.VirtualServices;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;

/**
 * An application namespace apart from the operator's: the "reviews" VirtualService and a Secret
 * with Prometheus credentials, created by an admin client bound to it.
 */
final class AppNamespace implements AutoCloseable {
  static final String SECRET = "prometheus-auth";

  private final String name;
  private final KubernetesClient admin;

  private AppNamespace(String name, KubernetesClient admin) {
    this.name = name;
    this.admin = admin;
  }

  static AppNamespace create(Config adminConfig, String name) {
    KubernetesClient admin =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(adminConfig).withNamespace(name).build())
            .build();
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    admin
        .adapt(IstioClient.class)
        .v1()
        .virtualServices()
        .resource(VirtualServices.reviews())
        .create();
    admin
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .endMetadata()
                .withStringData(Map.of("token", "s3cr3t"))
                .build())
        .create();
    return new AppNamespace(name, admin);
  }

  String name() {
    return name;
  }

  /** Cluster admin, default namespace this one. */
  KubernetesClient admin() {
    return admin;
  }

  @Override
  public void close() {
    // Namespaces never finish deleting without a controller-manager (see pitfalls.md): leave it.
    admin.close();
  }
}
