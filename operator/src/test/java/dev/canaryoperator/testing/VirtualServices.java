package dev.canaryoperator.testing;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** VirtualService fixtures and a recorder of every version the API server hands out. */
public final class VirtualServices {
  private VirtualServices() {}

  /**
   * "reviews": one http route "primary" sending everything to reviews-stable, with retries and a
   * timeout.
   */
  public static VirtualService reviews() {
    return new VirtualServiceBuilder()
        .withNewMetadata()
        .withName("reviews")
        .addToLabels("app", "reviews")
        .addToAnnotations("team", "bookinfo")
        .endMetadata()
        .withNewSpec()
        .withHosts("reviews")
        .addNewHttp()
        .withName("primary")
        .withTimeout("10s")
        .withNewRetries()
        .withAttempts(3)
        .withPerTryTimeout("2s")
        .endRetries()
        .addNewRoute()
        .withNewDestination()
        .withHost("reviews-stable")
        .endDestination()
        .withWeight(100)
        .endRoute()
        .endHttp()
        .endSpec()
        .build();
  }

  /** Creates {@link #reviews()} in the client's namespace. */
  public static VirtualService createReviews(KubernetesClient client) {
    return client.adapt(IstioClient.class).v1().virtualServices().resource(reviews()).create();
  }

  public static List<Integer> weights(VirtualService vs, int route) {
    return vs.getSpec().getHttp().get(route).getRoute().stream()
        .map(HTTPRouteDestination::getWeight)
        .toList();
  }

  /** The canary's weight in the first route, 0 when it has no destination there yet. */
  public static int canaryWeight(VirtualService vs, String canaryHost) {
    return vs.getSpec().getHttp().stream()
        .filter(r -> r.getName() == null || !r.getName().startsWith("canaryoperator-"))
        .findFirst()
        .orElseThrow()
        .getRoute()
        .stream()
        .filter(d -> d.getDestination().getHost().equals(canaryHost))
        .map(d -> d.getWeight() == null ? 0 : d.getWeight())
        .findFirst()
        .orElse(0);
  }

  /** Records the canary weight of every VirtualService version, in order, through a watch. */
  public static final class WeightRecorder implements AutoCloseable {
    private final List<Integer> canaryWeights = new CopyOnWriteArrayList<>();
    private final List<String> versions = new CopyOnWriteArrayList<>();
    private final Watch watch;

    public WeightRecorder(KubernetesClient client, String name, String canaryHost) {
      watch =
          client
              .adapt(IstioClient.class)
              .v1()
              .virtualServices()
              .withName(name)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, VirtualService vs) {
                      if (action == Action.ADDED || action == Action.MODIFIED) {
                        versions.add(vs.getMetadata().getResourceVersion());
                        int weight = canaryWeight(vs, canaryHost);
                        if (canaryWeights.isEmpty()
                            || canaryWeights.get(canaryWeights.size() - 1) != weight) {
                          canaryWeights.add(weight);
                        }
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
    }

    /** Distinct consecutive canary weights seen. */
    public List<Integer> canaryWeights() {
      return List.copyOf(canaryWeights);
    }

    public int writes() {
      return versions.size();
    }

    @Override
    public void close() {
      watch.close();
    }
  }
}
