package dev.canaryoperator.simulator;

import io.fabric8.istio.api.networking.v1.VirtualService;
import java.util.function.Consumer;

/**
 * Where the simulator learns the current state of its one VirtualService: from the API server
 * ({@link KubernetesVirtualServiceSource}) or handed over in-process ({@link
 * InMemoryVirtualServiceSource}).
 */
public interface VirtualServiceSource extends AutoCloseable {

  /**
   * Starts delivering: {@code listener} receives the VirtualService whenever it changes, and null
   * when it does not exist (any more). It may be called from another thread.
   */
  void start(Consumer<VirtualService> listener) throws Exception;

  /** Human-readable origin, for logs and {@code /stats}. */
  String describe();

  @Override
  void close();
}
