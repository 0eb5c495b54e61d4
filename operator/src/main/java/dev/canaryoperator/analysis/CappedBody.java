package dev.canaryoperator.analysis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as text up to a limit. A misbehaving endpoint answering 50 MB once grew the
 * operator from 250 MB to 1 GB; past the limit the download is cancelled and the body fails with
 * {@link TooLarge}, so no more than the limit is ever held.
 */
final class CappedBody implements HttpResponse.BodySubscriber<String> {

  /** The body was longer than the limit; nothing of it is kept. */
  static final class TooLarge extends IOException {
    private final long limit;

    TooLarge(long limit) {
      super("the answer is larger than " + limit + " bytes");
      this.limit = limit;
    }

    long limit() {
      return limit;
    }
  }

  private final long limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private CappedBody(long limit) {
    this.limit = limit;
  }

  static HttpResponse.BodyHandler<String> handler(long limit) {
    return info -> new CappedBody(limit);
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      if (bytes.size() + (long) item.remaining() > limit) {
        subscription.cancel();
        bytes.reset();
        body.completeExceptionally(new TooLarge(limit));
        return;
      }
      byte[] chunk = new byte[item.remaining()];
      item.get(chunk);
      bytes.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public void onError(Throwable throwable) {
    body.completeExceptionally(throwable);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toString(StandardCharsets.UTF_8));
  }

  @Override
  public CompletionStage<String> getBody() {
    return body;
  }
}
