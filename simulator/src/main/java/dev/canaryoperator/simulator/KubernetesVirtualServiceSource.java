package dev.canaryoperator.simulator;

import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one {@code networking.istio.io/v1} VirtualService through an informer, so a dropped watch
 * is re-listed and re-established by fabric8 rather than by us, and every change (including the
 * operator's weight writes) reaches the router within the watch latency.
 */
public final class KubernetesVirtualServiceSource implements VirtualServiceSource {

  private static final Logger log = LoggerFactory.getLogger(KubernetesVirtualServiceSource.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private SharedIndexInformer<VirtualService> informer;

  public KubernetesVirtualServiceSource(KubernetesClient client, String namespace, String name) {
    this.client = Objects.requireNonNull(client);
    this.namespace = Objects.requireNonNull(namespace);
    this.name = Objects.requireNonNull(name);
  }

  @Override
  public synchronized void start(Consumer<VirtualService> listener) {
    var resource =
        client
            .adapt(IstioClient.class)
            .v1()
            .virtualServices()
            .inNamespace(namespace)
            .withName(name);
    try {
      informer =
          resource.inform(
              new ResourceEventHandler<>() {
                @Override
                public void onAdd(VirtualService vs) {
                  log.info(
                      "VirtualService {}/{} seen (resourceVersion {})",
                      namespace,
                      name,
                      vs.getMetadata().getResourceVersion());
                  listener.accept(vs);
                }

                @Override
                public void onUpdate(VirtualService old, VirtualService vs) {
                  log.info(
                      "VirtualService {}/{} changed (resourceVersion {})",
                      namespace,
                      name,
                      vs.getMetadata().getResourceVersion());
                  listener.accept(vs);
                }

                @Override
                public void onDelete(VirtualService vs, boolean finalStateUnknown) {
                  log.warn(
                      "VirtualService {}/{} deleted: no route for any request until it is back",
                      namespace,
                      name);
                  listener.accept(null);
                }
              },
              0);
    } catch (KubernetesClientException e) {
      throw new IllegalStateException(
          "cannot watch VirtualService "
              + namespace
              + "/"
              + name
              + " (are the Istio CRDs installed, networking.istio.io/v1 served, and may we list/watch it?): "
              + e.getMessage(),
          e);
    }
    // inform() returns after the initial list; the router starts with an empty table, so an absent
    // VirtualService needs no event of its own, only a word in the log
    if (informer.getStore().list().isEmpty()) {
      log.warn(
          "VirtualService {}/{} does not exist yet: no request is routed until it does",
          namespace,
          name);
    }
  }

  @Override
  public String describe() {
    return "VirtualService " + namespace + "/" + name + " on " + client.getMasterUrl();
  }

  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
  }
}
