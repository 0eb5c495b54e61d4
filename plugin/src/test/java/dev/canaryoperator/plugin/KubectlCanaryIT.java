package dev.canaryoperator.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canaryoperator.CanaryOperator;
import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.Destination;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Promotion;
import dev.canaryoperator.api.Step;
import dev.canaryoperator.api.VirtualServiceRef;
import dev.canaryoperator.e2e.ControlPlane;
import dev.canaryoperator.testsupport.KubeApiServers;
import io.fabric8.istio.api.networking.v1.VirtualServiceBuilder;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin as a person runs it: {@code kubectl canary ...} through the kubectl the build makes,
 * which finds the launcher on the PATH, against a real API server with the operator running.
 */
class KubectlCanaryIT {
  static final String NAMESPACE = "shop";

  static ControlPlane controlPlane;
  static KubernetesClient admin;
  static CanaryOperator operator;
  static KubernetesClient operatorClient;
  static Path kubectl;
  static Path bin;

  /** A finished process: how it ended and what it printed. */
  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createDirectories(Path.of("target", "plugin-it")).toAbsolutePath();
    KubeApiServers servers = KubeApiServers.fromSystemProperties();
    controlPlane = ControlPlane.start(servers, work);
    admin = controlPlane.client();
    kubectl =
        servers.binariesDir().resolve("k8s").resolve(servers.version() + "-linux-amd64/kubectl");
    // installed the way krew installs it: the release archive unpacked, nothing else
    bin = work.resolve("bin");
    if (Files.exists(bin)) {
      try (var old = Files.list(bin)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(bin);
    Run unpacked =
        finish(
            new ProcessBuilder(
                    "tar", "-xzf", System.getProperty("plugin.archive"), "-C", bin.toString())
                .start(),
            30);
    assertThat(unpacked.exit()).as(unpacked.err()).isZero();

    admin
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    operatorClient =
        new KubernetesClientBuilder()
            .withConfig(CanaryOperator.clientConfig(admin.getConfiguration()))
            .build();
    operator =
        new CanaryOperator(
            operatorClient,
            target ->
                AnalysisResult.pass(
                    new Measurement(1000.0, 0.01, 100.0),
                    new Measurement(9000.0, 0.01, 100.0),
                    "canary 5xx rate 1.0% <= 2.0 x stable 1.0%"),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            Set.of(NAMESPACE),
            null);
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static void virtualService(String name) {
    admin
        .adapt(IstioClient.class)
        .v1()
        .virtualServices()
        .inNamespace(NAMESPACE)
        .resource(
            new VirtualServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withHosts(name)
                .addNewHttp()
                .withName("primary")
                .addNewRoute()
                .withNewDestination()
                .withHost(name + "-stable")
                .endDestination()
                .withWeight(100)
                .endRoute()
                .endHttp()
                .endSpec()
                .build())
        .create();
  }

  /** A release of {@code name}'s VirtualService: the given steps, 1 s analyses. */
  static void release(String name, String stepDuration, Promotion promotion, int... weights) {
    virtualService(name);
    CanaryReleaseSpec spec = new CanaryReleaseSpec();
    spec.setVirtualService(new VirtualServiceRef(name, List.of()));
    spec.setStable(new Destination(name + "-stable", null, null));
    spec.setCanary(new Destination(name + "-canary", null, null));
    List<Step> steps = new ArrayList<>();
    for (int w : weights) {
      steps.add(new Step(w, null));
    }
    spec.setSteps(steps);
    spec.setStepDuration(stepDuration);
    spec.setPromotion(promotion);
    AnalysisSpec analysis = new AnalysisSpec(new PrometheusSpec("http://prometheus:9090"));
    analysis.setInterval("1s");
    spec.setAnalysis(analysis);
    CanaryRelease release = new CanaryRelease();
    release.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
    release.setSpec(spec);
    admin.resource(release).create();
  }

  static CanaryRelease live(String name) {
    return admin.resources(CanaryRelease.class).inNamespace(NAMESPACE).withName(name).get();
  }

  static void awaitPhase(String name, Phase phase) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              CanaryRelease r = live(name);
              return r != null && r.getStatus() != null && r.getStatus().getPhase() == phase;
            });
  }

  static ProcessBuilder kubectlCanary(String... args) {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "canary"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBECONFIG", controlPlane.kubeconfig().toString());
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    return builder;
  }

  static Run run(String... args) throws IOException, InterruptedException {
    Process process = kubectlCanary(args).start();
    return finish(process, 90);
  }

  /** Runs and asserts exit 0, showing what it printed otherwise. */
  static Run ok(String... args) throws IOException, InterruptedException {
    Run result = run(args);
    assertThat(result.exit())
        .as("kubectl canary %s: %s%s", String.join(" ", args), result.out(), result.err())
        .isZero();
    return result;
  }

  static Run finish(Process process, int seconds) throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl canary did not end within " + seconds + " s");
    }
    return new Run(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void kubectlFindsThePluginAndItSaysItsVersionAndCompletes() throws Exception {
    ProcessBuilder list = new ProcessBuilder(kubectl.toString(), "plugin", "list");
    // only the directory the archive was unpacked in: what else this machine has on its PATH
    // is not the plugin's business
    list.environment().put("PATH", bin.toString());
    Run plugins = finish(list.start(), 30);
    assertThat(plugins.exit()).as("kubectl plugin list: %s", plugins.err()).isZero();
    assertThat(plugins.out()).contains(bin.resolve("kubectl-canary").toString());
    assertThat(plugins.err()).as("the archive unpacked on the PATH warns of nothing").isEmpty();

    Run version = run("version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("kubectl-canary ");
    assertThat(run("completion", "bash").out()).contains("complete -F");
    assertThat(run("completion", "zsh").out()).contains("bashcompinit");
    Run fish = run("completion", "fish");
    assertThat(fish.exit()).isEqualTo(1);
    assertThat(fish.err()).startsWith("error: ");
  }

  /** Runs kubectl with the given kubeconfig, asserting it worked; returns what it printed. */
  static String kubectlConfig(Path kubeconfig, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig"));
    command.add(kubeconfig.toString());
    command.addAll(List.of(args));
    Run result = finish(new ProcessBuilder(command).start(), 30);
    assertThat(result.exit()).as("kubectl %s: %s", args, result.err()).isZero();
    return result.out().trim();
  }

  @Test
  void theKubeconfigAndContextFlagsPickTheClusterAsKubectlDoes() throws Exception {
    release("details", "5m", Promotion.Automatic, 10, 100);
    Path kubeconfig = Files.createTempFile(bin.getParent(), "two-contexts", ".yaml");
    Files.copy(controlPlane.kubeconfig(), kubeconfig, StandardCopyOption.REPLACE_EXISTING);
    String test = kubectlConfig(kubeconfig, "config", "current-context");
    String user = kubectlConfig(kubeconfig, "config", "view", "-o", "jsonpath={.users[0].name}");
    kubectlConfig(kubeconfig, "config", "set-cluster", "nowhere", "--server=https://127.0.0.1:1");
    kubectlConfig(
        kubeconfig, "config", "set-context", "nowhere", "--cluster=nowhere", "--user=" + user);
    kubectlConfig(kubeconfig, "config", "use-context", "nowhere");

    // $KUBECONFIG names a file that is not there: only the flag can lead to the cluster
    ProcessBuilder picked =
        kubectlCanary(
            "--kubeconfig", kubeconfig.toString(), "--context", test, "-n", NAMESPACE, "list");
    picked.environment().put("KUBECONFIG", bin.resolve("absent.yaml").toString());
    Run listed = finish(picked.start(), 90);
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(listed.out()).contains("NAME", "details");

    ProcessBuilder current =
        kubectlCanary("--kubeconfig", kubeconfig.toString(), "-n", NAMESPACE, "list");
    current.environment().put("KUBECONFIG", bin.resolve("absent.yaml").toString());
    Run refused = finish(current.start(), 90);
    assertThat(refused.exit()).as("the current context points nowhere").isEqualTo(1);
    assertThat(refused.err())
        .startsWith("error: the connection to the server https://127.0.0.1:1")
        .contains("was refused");

    Run unknown = run("--context", "no-such-context", "-n", NAMESPACE, "list");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err().trim()).isEqualTo("error: context \"no-such-context\" does not exist");
  }

  @Test
  void theReleaseArchiveHoldsWhatTheKrewManifestInstalls() throws Exception {
    Run listing =
        finish(
            new ProcessBuilder("tar", "-tvzf", System.getProperty("plugin.archive")).start(), 30);
    assertThat(listing.exit()).isZero();
    JsonNode krew =
        admin
            .getKubernetesSerialization()
            .unmarshal(
                Files.readString(Path.of(System.getProperty("plugin.krew"))), JsonNode.class);
    JsonNode platform = krew.path("spec").path("platforms").get(0);
    List<String> entries =
        listing.out().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    List<String> installed = new ArrayList<>();
    platform.path("files").forEach(f -> installed.add(f.path("from").asText()));
    assertThat(entries).containsExactlyInAnyOrderElementsOf(installed);
    assertThat(entries).contains(platform.path("bin").asText());
    assertThat(listing.out().lines().filter(l -> l.endsWith(" kubectl-canary")))
        .singleElement()
        .asString()
        .as("the launcher is executable once unpacked")
        .startsWith("-rwxr-xr-x");
    assertThat(krew.path("spec").path("caveats").asText()).contains("Java 17");
  }

  @Test
  void aMissingReleaseIsKubectlsError() throws Exception {
    Run missing = run("-n", NAMESPACE, "get", "nope");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err().trim()).isEqualTo("error: canaryreleases \"nope\" not found");
    Run status = run("-n", NAMESPACE, "status", "nope");
    assertThat(status.exit()).isEqualTo(1);
  }

  @Test
  void getWatchEndsByItselfWhenAManuallyPromotedReleaseEnds() throws Exception {
    release("ratings", "2s", Promotion.Manual, 50, 100);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                live("ratings").getStatus() != null
                    && Boolean.TRUE.equals(live("ratings").getStatus().getAwaitingPromotion()));
    Process watch = kubectlCanary("-n", NAMESPACE, "get", "ratings", "-w").start();

    Run list = run("-n", NAMESPACE, "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("NAME", "ratings", "Paused", "100%", "2/2");
    assertThat(run("list", "-A").out()).contains("NAMESPACE", NAMESPACE, "ratings");

    ok("-n", NAMESPACE, "promote", "ratings");
    Run watched = finish(watch, 60);
    assertThat(watched.exit()).isZero();
    assertThat(watched.out())
        .contains("> 2. 100%", "waiting for promotion", "Last analysis: Pass")
        .contains("canary  1000 requests, 5xx 1.00%, mean latency 100.0 ms")
        .contains("Phase:     Promoted");

    Run status = run("-n", NAMESPACE, "status", "ratings", "--timeout", "30s");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).startsWith("ratings: Promoted");
    assertThat(run("-n", NAMESPACE, "get", "ratings", "-o", "json").out())
        .contains("\"phase\" : \"Promoted\"");
    assertThat(run("-n", NAMESPACE, "get", "ratings", "-o", "yaml").out())
        .contains("phase: \"Promoted\"");
  }

  @Test
  void abortRetryPauseResumeAndPromoteFull() throws Exception {
    release("reviews", "5m", Promotion.Automatic, 10, 50, 100);
    awaitPhase("reviews", Phase.Progressing);

    ok("-n", NAMESPACE, "abort", "reviews", "--reason", "bad canary");
    awaitPhase("reviews", Phase.RolledBack);
    Run failed = run("-n", NAMESPACE, "status", "reviews", "--timeout", "10s");
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.out()).contains("reviews: RolledBack: aborted on request: bad canary");

    ok("-n", NAMESPACE, "retry", "reviews");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> live("reviews").getStatus().getAttempt() == 2);

    ok("-n", NAMESPACE, "pause", "reviews");
    awaitPhase("reviews", Phase.Paused);
    Run pending = run("-n", NAMESPACE, "status", "reviews", "--timeout", "2s");
    assertThat(pending.exit()).isEqualTo(2);
    assertThat(pending.out()).contains("still Paused after 2s");

    ok("-n", NAMESPACE, "resume", "reviews");
    awaitPhase("reviews", Phase.Progressing);
    ok("-n", NAMESPACE, "promote", "reviews", "--full");
    awaitPhase("reviews", Phase.Promoted);
    assertThat(live("reviews").getStatus().getReason()).isEqualTo("PromotedFull");
  }
}
