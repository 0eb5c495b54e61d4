package dev.canaryoperator.e2e;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.simulator.BackendBehaviour;
import dev.canaryoperator.simulator.BackendSpec;
import dev.canaryoperator.simulator.KubernetesVirtualServiceSource;
import dev.canaryoperator.simulator.LoadSettings;
import dev.canaryoperator.simulator.MeshSimulator;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace of the stack, wired as a real mesh would be: the VirtualService "reviews" sending
 * everything to reviews-stable, the simulated data plane routing traffic by that live
 * VirtualService to loopback backends for reviews-stable and reviews-canary (scraped by the stack's
 * Prometheus), and an operator process watching this namespace.
 */
public final class Mesh implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Mesh.class);
  public static final String VIRTUAL_SERVICE = "reviews";
  public static final String STABLE_HOST = "reviews-stable";
  public static final String CANARY_HOST = "reviews-canary";
  public static final String STABLE = "stable";
  public static final String CANARY = "canary";
  private static final Duration FIRST_SCRAPES_TIMEOUT = Duration.ofSeconds(30);

  private final MeshStack stack;
  private final String namespace;
  private final MeshSimulator simulator;
  private String scrapeTarget;
  private final OperatorProcess operator;
  private boolean closed;

  private Mesh(
      MeshStack stack, String namespace, MeshSimulator simulator, OperatorProcess operator) {
    this.stack = stack;
    this.namespace = namespace;
    this.simulator = simulator;
    this.operator = operator;
  }

  static Mesh start(MeshStack stack, MeshSpec spec) throws IOException, InterruptedException {
    KubernetesClient client = stack.client();
    String namespace =
        spec.namespacePrefix().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-")
            + "-"
            + Integer.toString(
                ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    client
        .adapt(IstioClient.class)
        .v1()
        .virtualServices()
        .inNamespace(namespace)
        .resource(initialVirtualService())
        .create();

    MeshSimulator simulator =
        MeshSimulator.builder()
            .namespace(namespace)
            .virtualServiceSource(
                new KubernetesVirtualServiceSource(client, namespace, VIRTUAL_SERVICE))
            .backend(BackendSpec.of(STABLE, STABLE_HOST, null), spec.stable())
            .backend(BackendSpec.of(CANARY, CANARY_HOST, null), spec.canary())
            .load(LoadSettings.DEFAULT.withRate(spec.ratePerSecond()))
            .build();
    OperatorProcess operator =
        new OperatorProcess(
            stack.operatorJar(),
            stack.kubeconfig(),
            namespace,
            stack.workDir().resolve("operator-" + namespace + ".log"));
    Mesh mesh = new Mesh(stack, namespace, simulator, operator);
    try {
      startSimulator(simulator);
      mesh.scrapeTarget = "127.0.0.1:" + simulator.adminPort();
      stack.prometheus().scrape(mesh.scrapeTarget);
      mesh.awaitFirstScrapes();
      operator.start();
      log.info(
          "mesh {} ready: traffic at {}/s, metrics scraped from {}, operator pid {}",
          namespace,
          spec.ratePerSecond(),
          mesh.scrapeTarget,
          operator.pid());
      return mesh;
    } catch (IOException | InterruptedException | RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  private static void startSimulator(MeshSimulator simulator) throws IOException {
    try {
      simulator.start();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("the mesh simulator did not start: " + e.getMessage(), e);
    }
  }

  /**
   * "reviews": one http route "primary" sending everything to reviews-stable, as before any canary.
   */
  static VirtualService initialVirtualService() {
    return new VirtualServiceBuilder()
        .withNewMetadata()
        .withName(VIRTUAL_SERVICE)
        .endMetadata()
        .withNewSpec()
        .withHosts(VIRTUAL_SERVICE)
        .addNewHttp()
        .withName("primary")
        .addNewRoute()
        .withNewDestination()
        .withHost(STABLE_HOST)
        .endDestination()
        .withWeight(100)
        .endRoute()
        .endHttp()
        .endSpec()
        .build();
  }

  /** rate() needs two samples: the first analysis must not find an empty stable side. */
  private void awaitFirstScrapes() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(FIRST_SCRAPES_TIMEOUT);
    while (stack.prometheus().successfulScrapes(scrapeTarget, Duration.ofSeconds(30)) < 3) {
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(
            "Prometheus has not scraped "
                + scrapeTarget
                + " within "
                + FIRST_SCRAPES_TIMEOUT.toSeconds()
                + "s");
      }
      Thread.sleep(250);
    }
  }

  public String namespace() {
    return namespace;
  }

  public MeshSimulator simulator() {
    return simulator;
  }

  public OperatorProcess operator() {
    return operator;
  }

  /** The simulator's metrics endpoint as Prometheus' {@code instance} label names it. */
  public String scrapeTarget() {
    return scrapeTarget;
  }

  public MeshStack stack() {
    return stack;
  }

  /** Creates the release in this namespace, as {@code kubectl apply} of a new object would. */
  public CanaryRelease apply(CanaryRelease release) {
    release.getMetadata().setNamespace(namespace);
    return stack
        .client()
        .resources(CanaryRelease.class)
        .inNamespace(namespace)
        .resource(release)
        .create();
  }

  /** The release as the API server has it now, or null. */
  public CanaryRelease release(String name) {
    return stack
        .client()
        .resources(CanaryRelease.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  /** Records every status the API server hands out for this release; close it when done. */
  public StatusLog statusLog(String releaseName) {
    return new StatusLog(stack.client(), namespace, releaseName);
  }

  public VirtualService virtualService() {
    return stack
        .client()
        .adapt(IstioClient.class)
        .v1()
        .virtualServices()
        .inNamespace(namespace)
        .withName(VIRTUAL_SERVICE)
        .get();
  }

  /**
   * The canary's weight in the "primary" route of a VirtualService; 0 when it has no destination
   * there.
   */
  public static int canaryWeight(VirtualService vs) {
    return vs.getSpec().getHttp().stream()
        .filter(r -> "primary".equals(r.getName()))
        .findFirst()
        .orElseThrow()
        .getRoute()
        .stream()
        .filter(d -> CANARY_HOST.equals(d.getDestination().getHost()))
        .mapToInt(d -> Objects.requireNonNullElse(d.getWeight(), 0))
        .sum();
  }

  /**
   * Changes how a backend ({@link #STABLE} or {@link #CANARY}) answers from its next request on.
   */
  public void behaviour(String backend, BackendBehaviour behaviour) {
    simulator.backend(backend).behaviour(behaviour);
  }

  public BackendBehaviour behaviour(String backend) {
    return simulator.backend(backend).behaviour();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      operator.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    simulator.close();
    if (scrapeTarget != null) {
      try {
        stack.prometheus().forget(scrapeTarget);
      } catch (IOException e) {
        log.warn(
            "Prometheus keeps scraping the closed simulator at {}: {}", scrapeTarget, e.toString());
      }
    }
    stack.forget(this);
  }
}
