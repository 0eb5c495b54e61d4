package dev.canaryoperator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API server per test run (shared by every class through the root store), one namespace per
 * test. Starting kube-apiserver + etcd costs seconds per start; namespaces give each test the
 * isolation it needs, so a server per class would only add start-up time (measured: see README).
 */
public final class RealKubernetesExtension implements ExecutionCondition, BeforeAllCallback, AfterEachCallback, ParameterResolver {
  private static final Logger log = LoggerFactory.getLogger(RealKubernetesExtension.class);
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(RealKubernetesExtension.class);
  private static final String CANARY_RELEASE_CRD = "/META-INF/fabric8/canaryreleases.canaryoperator.dev-v1.yml";
  private static final String ISTIO_CRDS = "/istio/networking-crds.yaml";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (usingK3s() && !K3sCluster.dockerAvailable()) {
      String why = "-Dit.kubernetes=k3s needs a Docker engine for Testcontainers and none is reachable";
      if (context.getTestMethod().isEmpty()) {
        log.warn("Skipping {}: {}", context.getDisplayName(), why);
      }
      return ConditionEvaluationResult.disabled(why);
    }
    return ConditionEvaluationResult.enabled("a Kubernetes API server is available");
  }

  private static boolean usingK3s() {
    return System.getProperty("it.kubernetes", "kube-api-test").equals("k3s");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == TestNamespace.class || type == TestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == TestCluster.class) {
      return cluster(context);
    }
    PerTest perTest = perTest(context);
    return type == TestNamespace.class ? perTest.namespace : perTest.client;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    // Namespaces never finish deleting without a controller-manager; deleting is still right on
    // K3s, and leftovers cannot disturb other tests because every test works in its own namespace.
    PerTest perTest = context.getStore(STORE).remove(PerTest.class, PerTest.class);
    if (perTest != null) {
      perTest.close();
    }
  }

  private PerTest perTest(ExtensionContext context) {
    ExtensionContext methodContext = context.getTestMethod().isPresent() ? context : null;
    ExtensionContext owner = methodContext != null ? methodContext : context;
    return owner.getStore(STORE).getOrComputeIfAbsent(PerTest.class, k -> {
      TestCluster cluster = cluster(context);
      String base = context.getRequiredTestClass().getSimpleName() + "-"
          + context.getTestMethod().map(m -> m.getName()).orElse("class");
      String ns = namespaceName(base);
      KubernetesClient client = new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(cluster.adminConfig()).withNamespace(ns).build()).build();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      return new PerTest(new TestNamespace(ns), client);
    }, PerTest.class);
  }

  static String namespaceName(String base) {
    String cleaned = base.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    if (cleaned.length() > 50) {
      cleaned = cleaned.substring(0, 50);
    }
    return cleaned.replaceAll("-+$", "") + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
  }

  private static TestCluster cluster(ExtensionContext context) {
    return context.getRoot().getStore(STORE)
        .getOrComputeIfAbsent(ClusterResource.class, k -> new ClusterResource(startCluster()), ClusterResource.class)
        .cluster;
  }

  private static TestCluster startCluster() {
    long started = System.nanoTime();
    TestCluster cluster;
    if (usingK3s()) {
      cluster = K3sCluster.start();
    } else {
      cluster = startBareKubeApiServer();
    }
    installCrds(cluster);
    log.info("Test cluster ready in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), cluster.describe());
    return cluster;
  }

  /** An API server of its own, with no CRDs, for tests about a cluster without Istio. */
  public static TestCluster startBareKubeApiServer() {
    String version = System.getProperty("kube.version", "1.34.2");
    Path dir = Path.of(System.getProperty("kube.api.test.dir", System.getProperty("user.home") + "/.kubeapitest"));
    return KubeApiTestCluster.start(version, dir);
  }

  /** Loads a YAML resource from the test classpath (CRDs). */
  public static List<HasMetadata> loadResource(KubernetesClient client, String resource) {
    return load(client, resource);
  }

  private static void installCrds(TestCluster cluster) {
    try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(cluster.adminConfig()).build()) {
      List<HasMetadata> crds = new ArrayList<>();
      crds.addAll(load(admin, ISTIO_CRDS));
      crds.addAll(load(admin, CANARY_RELEASE_CRD));
      for (HasMetadata crd : crds) {
        admin.resource(crd).serverSideApply();
      }
      for (HasMetadata crd : crds) {
        admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(RealKubernetesExtension::established, 60, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private static List<HasMetadata> load(KubernetesClient client, String resource) {
    try (InputStream in = RealKubernetesExtension.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test classpath (run the build through Maven so the CRD generator runs)");
      }
      return client.load(in).items();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private record ClusterResource(TestCluster cluster) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      cluster.close();
    }
  }

  private record PerTest(TestNamespace namespace, KubernetesClient client) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      try {
        client.namespaces().withName(namespace.name()).delete();
      } catch (RuntimeException e) {
        log.debug("namespace {} not deleted: {}", namespace.name(), e.toString());
      } finally {
        client.close();
      }
    }
  }

}
