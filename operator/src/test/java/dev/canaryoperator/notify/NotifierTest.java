package dev.canaryoperator.notify;

import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.NotificationType;
import dev.canaryoperator.rollout.Transition;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NotifierTest {
  @Test
  void aFullQueueDropsCountedAndNeverBlocksTheCaller() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    HttpServer hanging =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hanging.createContext(
        "/",
        exchange -> {
          try {
            end.await(5, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    var threads = Executors.newCachedThreadPool();
    hanging.setExecutor(threads);
    hanging.start();
    List<String> outcomes = new CopyOnWriteArrayList<>();
    URI url = URI.create("http://127.0.0.1:" + hanging.getAddress().getPort() + "/");
    try (Notifier notifier =
        new Notifier(
            null,
            List.of(new NotificationTarget(NotificationType.Webhook, url, null, null, Set.of())),
            Clock.systemUTC(),
            o -> outcomes.add(o.name()),
            4,
            List.of())) {
      CanaryRelease release = release("reviews").build();
      release.getMetadata().setNamespace("shop");
      CanaryReleaseStatus status = new CanaryReleaseStatus();
      // returns while the receiver hangs: a caller that waited would never get past the loop
      for (int i = 0; i < 100; i++) {
        notifier.transitioned(release, Transition.normal("StepAdvanced", "step " + i), status);
      }

      // at most 16 in flight to the hanging receiver, one in the sender's hand and 4 in the
      // queue: the rest are dropped, each counted
      await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() >= 100 - 16 - 1 - 4);
      assertThat(outcomes).containsOnly("dropped");
    } finally {
      end.countDown();
      hanging.stop(0);
      threads.shutdownNow();
    }
  }
}
