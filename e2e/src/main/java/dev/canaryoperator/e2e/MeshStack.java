package dev.canaryoperator.e2e;

import dev.canaryoperator.testsupport.PrometheusProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop a real cluster has, on loopback: etcd + kube-apiserver with the Istio and CanaryRelease
 * CRDs, and a Prometheus scraping every second. {@link #mesh(MeshSpec)} adds what each rollout
 * needs: a namespace with its VirtualService, the simulated traffic, and the operator process.
 *
 * <p>Everything started here is stopped by {@link #close()}, and by a shutdown hook when the JVM
 * exits without it (Ctrl-C, a test run that is cut short).
 */
public final class MeshStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshStack.class);

  private final StackOptions options;
  private final Path workDir;
  private final boolean temporary;
  private final List<Mesh> meshes = new ArrayList<>();
  private final Thread closeOnExit = new Thread(this::closeQuietly, "close-mesh-stack");
  private ControlPlane controlPlane;
  private PrometheusProcess prometheus;
  private boolean closed;

  private MeshStack(StackOptions options, Path workDir, boolean temporary) {
    this.options = options;
    this.workDir = workDir;
    this.temporary = temporary;
    Runtime.getRuntime().addShutdownHook(closeOnExit);
  }

  public static MeshStack start() throws IOException, InterruptedException {
    return start(StackOptions.fromSystemProperties());
  }

  public static MeshStack start(StackOptions options) throws IOException, InterruptedException {
    boolean temporary = options.workDir() == null;
    Path dir =
        temporary
            ? Files.createTempDirectory("canary-stack-")
            : Files.createTempDirectory(Files.createDirectories(options.workDir()), "stack-");
    MeshStack stack = new MeshStack(options, dir, temporary);
    try {
      long started = System.nanoTime();
      stack.controlPlane = ControlPlane.start(options.kubeApiServers(), dir);
      stack.prometheus =
          PrometheusProcess.scrapingTargetsFile(
              options.repository(), "mesh", dir.resolve("prometheus"));
      log.info(
          "stack ready in {} ms: kube-apiserver {} (kubeconfig {}), Prometheus {}",
          (System.nanoTime() - started) / 1_000_000,
          options.kubeApiServers().version(),
          stack.kubeconfig(),
          stack.prometheusUrl());
      return stack;
    } catch (IOException | InterruptedException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** Creates a namespace with its VirtualService, starts its traffic and its operator. */
  public synchronized Mesh mesh(MeshSpec spec) throws IOException, InterruptedException {
    Mesh mesh = Mesh.start(this, spec);
    meshes.add(mesh);
    return mesh;
  }

  /** Cluster-admin client; namespace unset. */
  public KubernetesClient client() {
    return controlPlane.client();
  }

  public Path kubeconfig() {
    return controlPlane.kubeconfig();
  }

  public PrometheusProcess prometheus() {
    return prometheus;
  }

  public URI prometheusUrl() {
    return prometheus.url();
  }

  public Path workDir() {
    return workDir;
  }

  Path operatorJar() throws IOException {
    return OperatorJar.locate(options.repository());
  }

  synchronized void forget(Mesh mesh) {
    meshes.remove(mesh);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Mesh mesh : new ArrayList<>(meshes)) {
      mesh.close();
    }
    try {
      if (prometheus != null) {
        prometheus.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (temporary) {
      deleteRecursively(workDir);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(closeOnExit);
    } catch (IllegalStateException shuttingDown) {
      // we are the hook, or it runs anyway
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("closing the mesh stack failed: " + e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
