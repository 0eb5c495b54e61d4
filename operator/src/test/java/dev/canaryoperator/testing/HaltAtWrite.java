package dev.canaryoperator.testing;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A fault in the operator's own HTTP client that stands in for a process killed at one chosen
 * write: the matching request is held just before it is sent ({@link Point#BEFORE}) or just after
 * its response arrived ({@link Point#AFTER}); once the test has seen that, {@link #kill()} makes
 * that request and every later one fail, so the halted operator never writes again, as if the
 * process had died there.
 */
public final class HaltAtWrite implements Interceptor {
  public enum Point {
    BEFORE,
    AFTER
  }

  /** What the interceptor sees of a request: method, path and body. */
  public record Request(String method, String path, String body) {}

  private final Point point;
  private final Predicate<Request> matches;
  private final CountDownLatch halted = new CountDownLatch(1);
  private final CountDownLatch killed = new CountDownLatch(1);
  private volatile Request haltedAt;

  public HaltAtWrite(Point point, Predicate<Request> matches) {
    this.point = point;
    this.matches = matches;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    failIfKilled();
    if (point == Point.BEFORE) {
      haltIfMatching(request);
    }
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (point == Point.AFTER && response.code() < 300) {
      haltIfMatching(request);
    }
  }

  private void haltIfMatching(HttpRequest request) {
    if (halted.getCount() == 0) {
      return;
    }
    Request seen = new Request(request.method(), request.uri().getPath(), request.bodyString());
    if (!matches.test(seen)) {
      return;
    }
    haltedAt = seen;
    halted.countDown();
    try {
      killed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failIfKilled();
  }

  private void failIfKilled() {
    if (killed.getCount() == 0) {
      throw new IllegalStateException("the operator was killed here by the test");
    }
  }

  /** Waits until the operator is halted at the chosen write; returns that request. */
  public Request awaitHalt(Duration timeout) throws InterruptedException {
    if (!halted.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "the operator never reached the write it was to be halted at (" + point + ")");
    }
    return haltedAt;
  }

  /** From now on the halted request and every other one fail: the process is dead. */
  public void kill() {
    killed.countDown();
  }
}
