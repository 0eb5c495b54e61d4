package dev.canaryoperator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the test plumbing: a real API server with Istio's CRDs, read through fabric8's Istio
 * model.
 */
@RealKubernetes
class ApiServerPlumbingIT {

  @Test
  void weightsRoundTripAndStaleUpdatesAreRefusedWithConflict(KubernetesClient client) {
    IstioClient istio = client.adapt(IstioClient.class);
    VirtualService created =
        istio
            .v1()
            .virtualServices()
            .resource(
                new VirtualServiceBuilder()
                    .withNewMetadata()
                    .withName("reviews")
                    .endMetadata()
                    .withNewSpec()
                    .withHosts("reviews")
                    .addNewHttp()
                    .withName("primary")
                    .addNewRoute()
                    .withNewDestination()
                    .withHost("reviews-stable")
                    .endDestination()
                    .withWeight(90)
                    .endRoute()
                    .addNewRoute()
                    .withNewDestination()
                    .withHost("reviews-canary")
                    .endDestination()
                    .withWeight(10)
                    .endRoute()
                    .endHttp()
                    .endSpec()
                    .build())
            .create();

    VirtualService read = istio.v1().virtualServices().withName("reviews").get();
    assertThat(weights(read)).containsExactly(90, 10);
    assertThat(read.getSpec().getHttp().get(0).getRoute().get(1).getDestination().getHost())
        .isEqualTo("reviews-canary");

    read.getSpec().getHttp().get(0).getRoute().get(0).setWeight(75);
    read.getSpec().getHttp().get(0).getRoute().get(1).setWeight(25);
    VirtualService updated = istio.v1().virtualServices().resource(read).update();
    assertThat(updated.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    assertThat(weights(istio.v1().virtualServices().withName("reviews").get()))
        .containsExactly(75, 25);

    // "created" still carries the first resourceVersion: the server must refuse to apply it.
    created.getSpec().getHttp().get(0).getRoute().get(0).setWeight(0);
    created.getSpec().getHttp().get(0).getRoute().get(1).setWeight(100);
    assertThatThrownBy(() -> istio.v1().virtualServices().resource(created).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(weights(istio.v1().virtualServices().withName("reviews").get()))
        .containsExactly(75, 25);
  }

  @Test
  void everyServedIstioVersionReadsTheSameObject(KubernetesClient client) {
    IstioClient istio = client.adapt(IstioClient.class);
    istio
        .v1()
        .virtualServices()
        .resource(
            new VirtualServiceBuilder()
                .withNewMetadata()
                .withName("ratings")
                .endMetadata()
                .withNewSpec()
                .withHosts("ratings")
                .addNewHttp()
                .addNewRoute()
                .withNewDestination()
                .withHost("ratings")
                .endDestination()
                .endRoute()
                .endHttp()
                .endSpec()
                .build())
        .create();

    assertThat(istio.v1beta1().virtualServices().withName("ratings").get().getSpec().getHosts())
        .containsExactly("ratings");
    assertThat(istio.v1alpha3().virtualServices().withName("ratings").get().getSpec().getHosts())
        .containsExactly("ratings");
  }

  private static List<Integer> weights(VirtualService vs) {
    return vs.getSpec().getHttp().get(0).getRoute().stream()
        .map(HTTPRouteDestination::getWeight)
        .toList();
  }
}
