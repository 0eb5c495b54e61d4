package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class QueryLimitTest {
  private final List<CompletableFuture<String>> sent = new ArrayList<>();

  private CompletableFuture<String> send() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    sent.add(answer);
    return answer;
  }

  @Test
  void sendsNoMoreThanTheLimitAtOnceAndTheNextWhenOneEnds() {
    QueryLimit limit = new QueryLimit(2);

    CompletableFuture<String> first = limit.submit(this::send);
    limit.submit(this::send);
    CompletableFuture<String> third = limit.submit(this::send);

    assertThat(sent).hasSize(2);
    sent.get(0).complete("one");
    assertThat(first).isCompletedWithValue("one");
    assertThat(sent).hasSize(3);
    sent.get(2).complete("three");
    assertThat(third).isCompletedWithValue("three");
    assertThat(limit.inFlight()).isEqualTo(1);
  }

  @Test
  void aQueryWhoseCallerGaveUpBeforeItsTurnIsNeverSent() {
    QueryLimit limit = new QueryLimit(1);
    limit.submit(this::send);
    CompletableFuture<String> abandoned = limit.submit(this::send);
    CompletableFuture<String> wanted = limit.submit(this::send);

    abandoned.cancel(true);
    sent.get(0).complete("one");

    assertThat(sent).hasSize(2);
    sent.get(1).complete("wanted");
    assertThat(wanted).isCompletedWithValue("wanted");
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void aFailedQueryFreesItsPlace() {
    QueryLimit limit = new QueryLimit(1);
    CompletableFuture<String> failing = limit.submit(this::send);
    limit.submit(this::send);

    sent.get(0).completeExceptionally(new IllegalStateException("refused"));

    assertThat(failing).isCompletedExceptionally();
    assertThat(sent).hasSize(2);
  }
}
