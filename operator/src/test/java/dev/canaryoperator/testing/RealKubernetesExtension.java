package dev.canaryoperator.testing;

import dev.canaryoperator.testsupport.Crds;
import dev.canaryoperator.testsupport.KubeApiServers;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
 *
 * <p>Store values are AutoCloseable: CloseableResource is deprecated since JUnit 5.13 and draws a
 * warning. Should the root store still not be closed, the API server's own shutdown hook stops etcd
 * and kube-apiserver when the test JVM exits.
 */
public final class RealKubernetesExtension
    implements ExecutionCondition, BeforeAllCallback, AfterEachCallback, ParameterResolver {
  private static final Logger log = LoggerFactory.getLogger(RealKubernetesExtension.class);
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(RealKubernetesExtension.class);
  private static final String CANARY_RELEASE_CRD =
      "/META-INF/fabric8/canaryreleases.canaryoperator.dev-v1.yml";
  private static final String ISTIO_CRDS = "/istio/networking-crds.yaml";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (usingK3s() && !K3sCluster.dockerAvailable()) {
      String why =
          "-Dit.kubernetes=k3s needs a Docker engine for Testcontainers and none is reachable";
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
    return type == KubernetesClient.class
        || type == TestNamespace.class
        || type == TestCluster.class;
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
    return owner
        .getStore(STORE)
        .getOrComputeIfAbsent(
            PerTest.class,
            k -> {
              TestCluster cluster = cluster(context);
              String base =
                  context.getRequiredTestClass().getSimpleName()
                      + "-"
                      + context.getTestMethod().map(m -> m.getName()).orElse("class");
              String ns = namespaceName(base);
              KubernetesClient client =
                  new KubernetesClientBuilder()
                      .withConfig(
                          new ConfigBuilder(cluster.adminConfig()).withNamespace(ns).build())
                      .build();
              client
                  .namespaces()
                  .resource(
                      new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                  .create();
              return new PerTest(new TestNamespace(ns), client);
            },
            PerTest.class);
  }

  static String namespaceName(String base) {
    String cleaned =
        base.replaceAll("([a-z])([A-Z])", "$1-$2")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-");
    if (cleaned.length() > 50) {
      cleaned = cleaned.substring(0, 50);
    }
    return cleaned.replaceAll("-+$", "")
        + "-"
        + Integer.toString(
            ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
  }

  private static TestCluster cluster(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            ClusterResource.class, k -> new ClusterResource(startCluster()), ClusterResource.class)
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
    log.info(
        "Test cluster ready in {} ms: {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        cluster.describe());
    return cluster;
  }

  /** An API server of its own, with no CRDs, for tests about a cluster without Istio. */
  public static TestCluster startBareKubeApiServer() {
    return KubeApiTestCluster.start(KubeApiServers.fromSystemProperties());
  }

  private static void installCrds(TestCluster cluster) {
    try (KubernetesClient admin =
        new KubernetesClientBuilder().withConfig(cluster.adminConfig()).build()) {
      Crds.install(admin, List.of(ISTIO_CRDS, CANARY_RELEASE_CRD));
    }
  }

  private record ClusterResource(TestCluster cluster) implements AutoCloseable {
    @Override
    public void close() {
      cluster.close();
    }
  }

  private record PerTest(TestNamespace namespace, KubernetesClient client)
      implements AutoCloseable {
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
