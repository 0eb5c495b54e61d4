package dev.canaryoperator.reconciler;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.Gate;
import dev.canaryoperator.api.Gates;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.testing.LiveReleases;
import dev.canaryoperator.testing.RealKubernetes;
import dev.canaryoperator.testing.RunningOperator;
import dev.canaryoperator.testing.ScriptedAnalysis;
import dev.canaryoperator.testing.VirtualServices;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gates on a real API server: only a 2xx lets a release move on. */
@RealKubernetes
class GatesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<JsonNode> asked = new CopyOnWriteArrayList<>();
  private final AtomicInteger answer = new AtomicInteger(403);
  private HttpServer gate;

  private String startGate() throws IOException {
    gate = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    gate.createContext(
        "/",
        exchange -> {
          asked.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(answer.get(), -1);
          exchange.close();
        });
    gate.start();
    return "http://127.0.0.1:" + gate.getAddress().getPort() + "/confirm";
  }

  @AfterEach
  void stopGate() {
    if (gate != null) {
      gate.stop(0);
    }
  }

  private static void createVirtualService(KubernetesClient client, String name) {
    VirtualService vs = VirtualServices.reviews();
    vs.getMetadata().setName(name);
    client.adapt(IstioClient.class).v1().virtualServices().resource(vs).create();
  }

  /** The release once its status message says {@code text}. */
  private static CanaryRelease heldWithMessageContaining(KubernetesClient client, String text) {
    return LiveReleases.awaitStatus(
        client,
        "reviews",
        r -> r.getStatus().getMessage() != null && r.getStatus().getMessage().contains(text));
  }

  @Test
  void aGateThatSaysNoHoldsTheReleaseAndOneThatSaysYesLetsItMoveOn(KubernetesClient client)
      throws Exception {
    String url = startGate();
    createVirtualService(client, "reviews");
    CanaryRelease release =
        release("reviews")
            .virtualService("reviews")
            .steps(10, 50)
            .stepDuration("1s")
            .interval("1s")
            .build();
    Gates gates = new Gates();
    gates.setConfirmTrafficIncrease(new Gate(url));
    release.getSpec().setGates(gates);
    client.resource(release).create();

    try (RunningOperator operator = RunningOperator.start(client, new ScriptedAnalysis())) {
      CanaryRelease held = heldWithMessageContaining(client, "HTTP 403");
      assertThat(held.getStatus().getCurrentStep()).isEqualTo(1);
      assertThat(held.getStatus().getCanaryWeight()).isEqualTo(10);
      assertThat(held.getStatus().getMessage())
          .isEqualTo(
              "held by the confirm-traffic-increase gate before step 2 (50%): it answered HTTP 403");
      JsonNode question = asked.get(0);
      assertThat(question.path("gate").asText()).isEqualTo("confirm-traffic-increase");
      assertThat(question.path("release").path("name").asText()).isEqualTo("reviews");
      assertThat(question.path("step").asInt()).isEqualTo(2);
      assertThat(question.path("canaryWeight").asInt()).isEqualTo(50);
      assertThat(question.path("lastAnalysis").path("verdict").asText()).isEqualTo("Pass");
      await("an event names the gate")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  client.v1().events().list().getItems().stream()
                      .map(Event::getMessage)
                      .anyMatch(m -> m != null && m.contains("confirm-traffic-increase gate")));

      answer.set(200);
      CanaryRelease moved =
          LiveReleases.awaitStatus(
              client, "reviews", r -> r.getStatus().getPhase() == Phase.Promoted);
      assertThat(moved.getStatus().getHistory())
          .extracting(h -> h.getReason())
          .contains("GateClosed", "StepAdvanced", "Promoted");
    }
  }

  @Test
  void aGateThatIsDownHoldsTheRolloutBeforeItStarts(KubernetesClient client) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    createVirtualService(client, "reviews");
    CanaryRelease release = release("reviews").virtualService("reviews").interval("1s").build();
    Gates gates = new Gates();
    gates.setConfirmRollout(new Gate("http://127.0.0.1:" + closed + "/confirm"));
    release.getSpec().setGates(gates);
    client.resource(release).create();

    try (RunningOperator operator = RunningOperator.start(client, new ScriptedAnalysis())) {
      CanaryRelease held = heldWithMessageContaining(client, "unreachable");
      assertThat(held.getStatus().getPhase()).isEqualTo(Phase.Pending);
      assertThat(held.getStatus().getMessage())
          .startsWith(
              "held by the confirm-rollout gate before the rollout starts: it answered unreachable");
      VirtualService vs =
          client.adapt(IstioClient.class).v1().virtualServices().withName("reviews").get();
      assertThat(vs.getSpec().getHttp().get(0).getRoute())
          .as("no traffic moved while the gate is down")
          .hasSize(1);
    }
  }
}
