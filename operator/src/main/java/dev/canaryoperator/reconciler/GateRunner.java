package dev.canaryoperator.reconciler;

import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.Gate;
import dev.canaryoperator.rollout.GateAnswer;
import dev.canaryoperator.rollout.GateRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Asks gates off the reconciler's threads, one question in flight per release, and keeps the answer
 * until the release needs another gate. Only a 2xx is a yes; an error status, no answer within the
 * gate's timeout or no receiver at all is a no that is asked again after {@link #RECHECK}.
 */
final class GateRunner {
  static final Duration RECHECK = Duration.ofSeconds(10);

  private record Asked(GateRequest request, Instant at, CompletableFuture<GateAnswer> answer) {}

  private final Map<String, Asked> asked = new ConcurrentHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final Consumer<String> whenDone;

  /**
   * @param whenDone told the release's key as soon as a gate has answered
   */
  GateRunner(Consumer<String> whenDone) {
    this.whenDone = whenDone;
  }

  /**
   * The latest answer to this request, or null while it is being asked. Asks when the release needs
   * another gate than last time, and again when a no is older than {@link #RECHECK}.
   *
   * @param body what the gate is told (JSON)
   */
  GateAnswer poll(String releaseKey, GateRequest request, Gate gate, String body, Instant now) {
    Asked current = asked.get(releaseKey);
    if (current == null || !current.request().equals(request)) {
      ask(releaseKey, request, gate, body, now);
      return null;
    }
    if (!current.answer().isDone()) {
      return null;
    }
    GateAnswer answer = current.answer().join();
    if (!answer.open() && !now.isBefore(current.at().plus(RECHECK))) {
      ask(releaseKey, request, gate, body, now);
    }
    return answer;
  }

  void forget(String releaseKey) {
    asked.remove(releaseKey);
  }

  private void ask(String releaseKey, GateRequest request, Gate gate, String body, Instant now) {
    CompletableFuture<GateAnswer> answer = new CompletableFuture<>();
    asked.put(releaseKey, new Asked(request, now, answer));
    Duration timeout;
    URI url;
    try {
      timeout = Durations.parse(gate.getTimeout() == null ? "10s" : gate.getTimeout());
      url = URI.create(gate.getUrl());
    } catch (IllegalArgumentException | NullPointerException e) {
      answer.complete(closed(request, "cannot be asked: " + e.getMessage()));
      whenDone.accept(releaseKey);
      return;
    }
    String timeoutText = Durations.format(timeout);
    http.sendAsync(
            HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                return closed(
                    request,
                    cause instanceof java.net.http.HttpTimeoutException
                        ? "no answer within " + timeoutText
                        : "unreachable (" + cause.getClass().getSimpleName() + ")");
              }
              int status = response.statusCode();
              return new GateAnswer(
                  request.rolloutKey(),
                  request.kind(),
                  request.step(),
                  status / 100 == 2,
                  "HTTP " + status);
            })
        .thenAccept(
            result -> {
              answer.complete(result);
              whenDone.accept(releaseKey);
            });
  }

  private static GateAnswer closed(GateRequest request, String message) {
    return new GateAnswer(request.rolloutKey(), request.kind(), request.step(), false, message);
  }
}
