package dev.canaryoperator.notify;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.FinalizeMode;
import dev.canaryoperator.api.Notification;
import dev.canaryoperator.api.NotificationType;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.testing.LiveReleases;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import dev.canaryoperator.testsupport.DeploymentController;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Notifications sent to real HTTP receivers on loopback by an operator on a real API server. */
@RealKubernetes
class NotificationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ExecutorService serverThreads = Executors.newCachedThreadPool();
  private final CountDownLatch endOfTest = new CountDownLatch(1);
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<String> outcomes = new CopyOnWriteArrayList<>();

  /** A receiver that records every body and answers what {@code status} says. */
  private final class Receiver {
    final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    final HttpServer server;

    Receiver(IntSupplier status, boolean hang) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            requests.incrementAndGet();
            if (hang) {
              try {
                endOfTest.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              exchange.close();
              return;
            }
            bodies.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            reply(exchange, status.getAsInt());
          });
      server.setExecutor(serverThreads);
      server.start();
      servers.add(server);
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<String> events() {
      return bodies.stream().map(b -> b.path("event").asText(b.path("text").asText())).toList();
    }
  }

  private static void reply(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @AfterEach
  void stopReceivers() {
    endOfTest.countDown();
    servers.forEach(s -> s.stop(0));
    serverThreads.shutdownNow();
  }

  private static void secretWithUrl(KubernetesClient client, String name, String url) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(Map.of("url", url))
                .build())
        .create();
  }

  private static void createVirtualService(KubernetesClient client, String name) {
    VirtualService vs = VirtualServices.reviews();
    vs.getMetadata().setName(name);
    client.adapt(IstioClient.class).v1().virtualServices().resource(vs).create();
  }

  private static CanaryRelease notifying(String name, NotificationType type, String secret) {
    CanaryRelease release =
        release(name).virtualService(name).steps(20, 50).stepDuration("1s").interval("1s").build();
    release.getSpec().setNotifications(List.of(new Notification(type, secret)));
    release.getSpec().getAnalysis().setFailureLimit(2);
    return release;
  }

  private Notifier notifier(KubernetesClient client, List<Duration> backoff) {
    return new Notifier(
        client, List.of(), Clock.systemUTC(), o -> outcomes.add(o.name()), 100, backoff);
  }

  @Test
  void everyKindOfEventArrivesWithTheNumbersAndAFailingAnalysisRollsBackWithBothSides(
      KubernetesClient client) throws Exception {
    Receiver webhook = new Receiver(() -> 200, false);
    Receiver slack = new Receiver(() -> 200, false);
    secretWithUrl(client, "webhook", webhook.url());
    secretWithUrl(client, "slack", slack.url());
    createVirtualService(client, "promoted");
    createVirtualService(client, "failing");
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    try (Notifier notifier = notifier(client, Notifier.BACKOFF)) {
      RunningOperator operator = RunningOperator.start(client, analysis, List.of(notifier));
      try {
        CanaryRelease promoted = notifying("promoted", NotificationType.Webhook, "webhook");
        promoted.getSpec().setPaused(true);
        client.resource(promoted).create();
        LiveReleases.awaitStatus(client, "promoted", r -> r.getStatus().getPhase() == Phase.Paused);
        client
            .resources(CanaryRelease.class)
            .withName("promoted")
            .edit(
                r -> {
                  r.getSpec().setPaused(false);
                  return r;
                });
        LiveReleases.awaitStatus(
            client, "promoted", r -> r.getStatus().getPhase() == Phase.Promoted);

        analysis.answer(Verdict.Fail);
        CanaryRelease failing = notifying("failing", NotificationType.Slack, "slack");
        client.resource(failing).create();
        LiveReleases.awaitStatus(
            client, "failing", r -> r.getStatus().getPhase() == Phase.RolledBack);

        await("every notification delivered")
            .atMost(Duration.ofSeconds(30))
            .until(() -> webhook.events().contains("Promoted") && slack.bodies.size() >= 3);
      } finally {
        operator.close();
      }
    }
    assertThat(webhook.events())
        .containsSubsequence("Started", "Paused", "StepAdvanced", "Promoted");
    JsonNode promotedBody =
        webhook.bodies.stream()
            .filter(b -> b.path("event").asText().equals("Promoted"))
            .findFirst()
            .orElseThrow();
    assertThat(promotedBody.path("release").path("name").asText()).isEqualTo("promoted");
    assertThat(promotedBody.path("canaryWeight").asInt()).isEqualTo(100);
    assertThat(promotedBody.path("analysis").path("verdict").asText()).isEqualTo("Pass");
    assertThat(promotedBody.path("analysis").path("canary").path("errorRate").asDouble())
        .isEqualTo(0.01);

    List<String> texts = slack.bodies.stream().map(b -> b.path("text").asText()).toList();
    assertThat(texts.get(0)).contains("failing* started");
    assertThat(texts).anySatisfy(t -> assertThat(t).contains("failing* failed an analysis"));
    String rolledBack =
        texts.stream().filter(t -> t.contains("rolled back")).findFirst().orElseThrow();
    assertThat(rolledBack)
        .contains("canary 5xx rate 4.2% > 2.0 x stable 1.1%")
        .contains("canary 1000 requests, 5xx 4.20%")
        .contains("stable 9000 requests, 5xx 1.10%");
    assertThat(outcomes).containsOnly("delivered");
  }

  @Test
  void aFinalisedReleaseSaysCompletedOnceTheStableRunsTheCanarysVersion(KubernetesClient client)
      throws Exception {
    Receiver webhook = new Receiver(() -> 200, false);
    secretWithUrl(client, "webhook", webhook.url());
    VirtualServices.createReviews(client);
    DeploymentController deployments = new DeploymentController(client);
    deployments.create("reviews-stable", "stable", "reviews:v1");
    deployments.create("reviews-canary", "canary", "reviews:v2");
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    try (Notifier notifier = notifier(client, Notifier.BACKOFF)) {
      RunningOperator operator = RunningOperator.start(client, analysis, List.of(notifier));
      try {
        CanaryRelease release =
            release("reviews")
                .steps(50, 100)
                .stepDuration("1s")
                .interval("1s")
                .finalize(FinalizeMode.WaitForStable, "5m")
                .build();
        release
            .getSpec()
            .setNotifications(List.of(new Notification(NotificationType.Webhook, "webhook")));
        client.resource(release).create();
        LiveReleases.awaitStatus(
            client, "reviews", r -> r.getStatus().getPhase() == Phase.Finalising);
        assertThat(webhook.events()).doesNotContain("Completed");

        // Git rolls the canary's version out on the stable; the test plays its controller
        deployments.setImage("reviews-stable", "reviews:v2");
        deployments.rolledOut("reviews-stable");
        LiveReleases.awaitStatus(
            client, "reviews", r -> r.getStatus().getPhase() == Phase.Completed);
        await("the completion delivered")
            .atMost(Duration.ofSeconds(30))
            .until(() -> webhook.events().contains("Completed"));
      } finally {
        operator.close();
      }
    }
    assertThat(webhook.events())
        .containsSubsequence("Started", "StepAdvanced", "Promoted", "Completed");
    JsonNode completed =
        webhook.bodies.stream()
            .filter(b -> b.path("event").asText().equals("Completed"))
            .findFirst()
            .orElseThrow();
    assertThat(completed.path("release").path("name").asText()).isEqualTo("reviews");
    assertThat(completed.path("phase").asText()).isEqualTo("Completed");
    assertThat(completed.path("canaryWeight").asInt())
        .as("the traffic is back on the stable")
        .isZero();
    assertThat(completed.path("message").asText()).isNotBlank();
    assertThat(completed.path("analysis").path("verdict").asText()).isEqualTo("Pass");
    assertThat(outcomes).containsOnly("delivered");
  }

  @Test
  void aReceiverAnswering500IsAskedAgainUntilItTakesTheMessage(KubernetesClient client)
      throws Exception {
    AtomicInteger answers = new AtomicInteger();
    Receiver flaky = new Receiver(() -> answers.incrementAndGet() <= 2 ? 500 : 200, false);
    secretWithUrl(client, "flaky", flaky.url());
    createVirtualService(client, "reviews");
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    analysis.answer(Verdict.Collecting);
    try (Notifier notifier =
        notifier(
            client,
            List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofSeconds(1)))) {
      RunningOperator operator = RunningOperator.start(client, analysis, List.of(notifier));
      try {
        client.resource(notifying("reviews", NotificationType.Webhook, "flaky")).create();
        await("the start delivered on the third attempt")
            .atMost(Duration.ofSeconds(30))
            .until(() -> outcomes.contains("delivered"));
      } finally {
        operator.close();
      }
    }
    assertThat(flaky.requests.get()).isEqualTo(3);
    assertThat(flaky.events()).containsExactly("Started", "Started", "Started");
  }

  @Test
  void aReceiverThatHangsDelaysNoOtherReleasesSteps(KubernetesClient client) throws Exception {
    Receiver hanging = new Receiver(() -> 200, true);
    Receiver fine = new Receiver(() -> 200, false);
    secretWithUrl(client, "hanging", hanging.url());
    secretWithUrl(client, "fine", fine.url());
    createVirtualService(client, "stuck");
    createVirtualService(client, "moving");
    ScriptedAnalysis analysis = new ScriptedAnalysis();
    try (Notifier notifier = notifier(client, Notifier.BACKOFF)) {
      RunningOperator operator = RunningOperator.start(client, analysis, List.of(notifier));
      try {
        client.resource(notifying("stuck", NotificationType.Webhook, "hanging")).create();
        await("the hanging receiver asked")
            .atMost(Duration.ofSeconds(30))
            .until(() -> hanging.requests.get() > 0);
        client.resource(notifying("moving", NotificationType.Webhook, "fine")).create();

        CanaryRelease moving =
            LiveReleases.awaitStatus(
                client, "moving", r -> r.getStatus().getPhase() == Phase.Promoted);
        CanaryRelease stuck = LiveReleases.get(client, "stuck");

        // both releases went through their steps at their own pace, the hanging receiver
        // notwithstanding, and the fine receiver heard about the other release's promotion
        assertThat(stuck.getStatus().getPhase()).isEqualTo(Phase.Promoted);
        assertThat(moving.getStatus().getHistory()).hasSizeGreaterThanOrEqualTo(3);
        await("the promotion delivered")
            .atMost(Duration.ofSeconds(10))
            .until(() -> fine.events().contains("Promoted"));
        assertThat(hanging.requests.get())
            .as("asked, and (hanging) it has answered none of them")
            .isPositive();
        assertThat(hanging.bodies).isEmpty();
      } finally {
        operator.close();
      }
    }
  }
}
