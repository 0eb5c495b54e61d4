package dev.canaryoperator.notify;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Notification;
import dev.canaryoperator.api.NotificationEvent;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.rollout.TransitionListener;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications off the reconciler's threads: a transition only puts a message in a bounded
 * queue (a full queue drops it, counted, and never blocks). One thread takes messages out, reads a
 * receiver's URL from its Secret when it has one, and sends without waiting for the answer; a
 * failure (no answer within the timeout, or anything but a 2xx) is retried after 1 s, 2 s and 4 s,
 * then dropped, counted. A receiver that is down or slow therefore delays no reconciliation, and
 * other receivers only once {@link #MAX_IN_FLIGHT} requests wait on it at once.
 */
public final class Notifier implements TransitionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  static final int QUEUE_CAPACITY = 1000;
  static final int MAX_IN_FLIGHT = 16;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final List<Duration> BACKOFF =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

  /** What became of a message to one receiver, for the metrics. */
  public enum Outcome {
    delivered,
    failed,
    dropped
  }

  private record Delivery(
      NotificationTarget target, String namespace, NotificationMessage message, int attempt) {}

  private final KubernetesClient client;
  private final List<NotificationTarget> operatorWide;
  private final Clock clock;
  private final Consumer<Outcome> outcomes;
  private final List<Duration> backoff;
  private final BlockingQueue<Delivery> queue;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(daemon("notification retries"));
  private final Thread sender;
  private volatile boolean closed;

  /**
   * @param operatorWide receivers of every release's notifications
   * @param outcomes told what became of each message to each receiver
   */
  public Notifier(
      KubernetesClient client,
      List<NotificationTarget> operatorWide,
      Clock clock,
      Consumer<Outcome> outcomes) {
    this(client, operatorWide, clock, outcomes, QUEUE_CAPACITY, BACKOFF);
  }

  Notifier(
      KubernetesClient client,
      List<NotificationTarget> operatorWide,
      Clock clock,
      Consumer<Outcome> outcomes,
      int capacity,
      List<Duration> backoff) {
    this.client = client;
    this.operatorWide = List.copyOf(operatorWide);
    this.clock = clock;
    this.outcomes = outcomes;
    this.backoff = List.copyOf(backoff);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sender = daemon("notifications").newThread(this::sendAll);
    sender.start();
  }

  /** The operator-wide receiver from the environment (NOTIFY_URL, NOTIFY_TYPE, NOTIFY_EVENTS). */
  public static List<NotificationTarget> fromEnvironment(
      java.util.function.Function<String, String> env) {
    String url = env.apply("NOTIFY_URL");
    if (url == null || url.isBlank()) {
      return List.of();
    }
    String type = env.apply("NOTIFY_TYPE");
    String events = env.apply("NOTIFY_EVENTS");
    Set<NotificationEvent> wanted =
        events == null || events.isBlank()
            ? Set.of()
            : java.util.Arrays.stream(events.split(","))
                .map(String::trim)
                .filter(e -> !e.isEmpty())
                .map(NotificationEvent::valueOf)
                .collect(java.util.stream.Collectors.toSet());
    return List.of(
        new NotificationTarget(
            type == null || type.isBlank()
                ? dev.canaryoperator.api.NotificationType.Webhook
                : dev.canaryoperator.api.NotificationType.valueOf(type.trim()),
            URI.create(url.trim()),
            null,
            null,
            wanted));
  }

  @Override
  public void transitioned(
      CanaryRelease release, Transition transition, CanaryReleaseStatus status) {
    NotificationMessage.of(release, transition, status, clock.instant())
        .ifPresent(
            message -> {
              for (NotificationTarget target : targets(release)) {
                if (target.wants(message.event())) {
                  enqueue(new Delivery(target, release.getMetadata().getNamespace(), message, 0));
                }
              }
            });
  }

  private List<NotificationTarget> targets(CanaryRelease release) {
    List<NotificationTarget> targets = new ArrayList<>(operatorWide);
    List<Notification> own = release.getSpec().getNotifications();
    if (own != null) {
      for (Notification n : own) {
        if (n.getType() != null && n.getSecretName() != null) {
          targets.add(
              new NotificationTarget(
                  n.getType(),
                  null,
                  n.getSecretName(),
                  n.getKey() == null ? "url" : n.getKey(),
                  n.getEvents() == null ? Set.of() : Set.copyOf(n.getEvents())));
        }
      }
    }
    return targets;
  }

  private void enqueue(Delivery delivery) {
    if (closed || !queue.offer(delivery)) {
      outcomes.accept(Outcome.dropped);
      log.warn(
          "{}/{}: notification {} to {} dropped: the queue is full",
          delivery.message().namespace(),
          delivery.message().name(),
          delivery.message().event(),
          delivery.target().describe());
    }
  }

  private void sendAll() {
    while (!closed) {
      Delivery delivery;
      try {
        delivery = queue.take();
        inFlight.acquire();
      } catch (InterruptedException e) {
        return;
      }
      try {
        send(delivery);
      } catch (RuntimeException e) {
        inFlight.release();
        failed(delivery, e.toString());
      }
    }
  }

  private void send(Delivery delivery) {
    URI url;
    try {
      url = url(delivery);
    } catch (IllegalStateException e) {
      inFlight.release();
      // a missing Secret is not going to appear within seconds: no retry
      outcomes.accept(Outcome.failed);
      log.warn(
          "{}/{}: notification {} not sent: {}",
          delivery.message().namespace(),
          delivery.message().name(),
          delivery.message().event(),
          e.getMessage());
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    delivery.message().body(delivery.target().type()), StandardCharsets.UTF_8))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              inFlight.release();
              if (failure == null && response.statusCode() / 100 == 2) {
                outcomes.accept(Outcome.delivered);
              } else {
                failed(
                    delivery,
                    failure != null ? failure.toString() : "HTTP " + response.statusCode());
              }
            });
  }

  private void failed(Delivery delivery, String why) {
    int attempt = delivery.attempt();
    if (attempt < backoff.size() && !closed) {
      retries.schedule(
          () ->
              enqueue(
                  new Delivery(
                      delivery.target(), delivery.namespace(), delivery.message(), attempt + 1)),
          backoff.get(attempt).toMillis(),
          TimeUnit.MILLISECONDS);
      return;
    }
    outcomes.accept(Outcome.failed);
    log.warn(
        "{}/{}: notification {} to {} failed after {} attempts: {}",
        delivery.message().namespace(),
        delivery.message().name(),
        delivery.message().event(),
        delivery.target().describe(),
        attempt + 1,
        why);
  }

  private URI url(Delivery delivery) {
    NotificationTarget target = delivery.target();
    if (target.url() != null) {
      return target.url();
    }
    Secret secret;
    try {
      secret =
          client.secrets().inNamespace(delivery.namespace()).withName(target.secretName()).get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException(
          "cannot read Secret " + target.secretName() + ": " + e.getMessage());
    }
    if (secret == null) {
      throw new IllegalStateException("Secret " + target.secretName() + " does not exist");
    }
    String value = null;
    if (secret.getData() != null && secret.getData().get(target.key()) != null) {
      value =
          new String(
              Base64.getDecoder().decode(secret.getData().get(target.key())),
              StandardCharsets.UTF_8);
    } else if (secret.getStringData() != null) {
      value = secret.getStringData().get(target.key());
    }
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "Secret " + target.secretName() + " has no key " + target.key());
    }
    try {
      return URI.create(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Secret " + target.secretName() + " key " + target.key() + " is not a URL");
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    retries.shutdownNow();
  }
}
