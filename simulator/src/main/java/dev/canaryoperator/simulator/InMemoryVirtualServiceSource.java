package dev.canaryoperator.simulator;

import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A VirtualService held in memory and replaced by {@link #publish}: for tests that run the
 * simulator in-process, and for running it from a YAML file where there is no API server at all.
 */
public final class InMemoryVirtualServiceSource implements VirtualServiceSource {

  private final String description;
  private VirtualService current;
  private Consumer<VirtualService> listener;

  public InMemoryVirtualServiceSource(VirtualService initial) {
    this(initial, "in-memory VirtualService");
  }

  private InMemoryVirtualServiceSource(VirtualService initial, String description) {
    this.current = initial;
    this.description = description;
  }

  public static InMemoryVirtualServiceSource fromYaml(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      VirtualService vs = Serialization.unmarshal(in, VirtualService.class);
      return new InMemoryVirtualServiceSource(vs, "file " + file);
    }
  }

  @Override
  public synchronized void start(Consumer<VirtualService> listener) {
    this.listener = listener;
    listener.accept(current);
  }

  /** Replaces the VirtualService (null: deleted) and tells the simulator at once. */
  public synchronized void publish(VirtualService next) {
    current = next;
    if (listener != null) {
      listener.accept(next);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() {
    listener = null;
  }
}
