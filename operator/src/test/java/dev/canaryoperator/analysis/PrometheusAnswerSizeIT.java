package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.api.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A misbehaving Prometheus that answers every query with 50 MB of valid JSON (a vector of 400,000
 * series): the analysis is Inconclusive with a reason that says so, and the operator stops reading
 * the answer at the cap instead of holding it all (an uncapped read once grew the operator from 250
 * MB to 1 GB).
 */
class PrometheusAnswerSizeIT {
  private static final long ANSWER_BYTES = 50L * 1000 * 1000;

  private HttpServer server;
  private ExecutorService executor;
  private final AtomicLong largestSent = new AtomicLong();

  @BeforeEach
  void startServer() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answerFiftyMegabytes);
    server.setExecutor(executor);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void answerFiftyMegabytes(HttpExchange exchange) throws IOException {
    byte[] head =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            .getBytes(StandardCharsets.UTF_8);
    byte[] sample =
        "{\"metric\":{\"pod\":\"reviews-v2-5f7c9d8b4-abcde\",\"le\":\"100\"},\"value\":[1,\"1\"]},"
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    long sent = 0;
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(head);
      sent += head.length;
      while (sent < ANSWER_BYTES) {
        out.write(sample);
        sent += sample.length;
      }
      out.write("{}]}}".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the operator hung up: expected once it has read as much as it accepts
    } finally {
      largestSent.accumulateAndGet(sent, Math::max);
      exchange.close();
    }
  }

  @Test
  void aFiftyMegabyteAnswerIsInconclusiveAndIsNotReadToTheEnd() {
    CanaryReleaseSpec spec = QueryPlanTest.hostSplit();
    spec.getAnalysis()
        .setPrometheus(new PrometheusSpec("http://127.0.0.1:" + server.getAddress().getPort()));
    PrometheusAnalysis analysis =
        new PrometheusAnalysis(CredentialsResolver.NONE, Clock.systemUTC());

    AnalysisResult result = analysis.analyze(new AnalysisTarget("bookinfo", "reviews", spec));

    assertThat(result.verdict()).isEqualTo(Verdict.Inconclusive);
    assertThat(result.reason())
        .contains("answered with more than 4 MiB, more than any query of a release needs")
        .contains("nothing of it was kept");
    assertThat(largestSent.get())
        .as("bytes the server got out before the operator hung up")
        .isLessThan(ANSWER_BYTES / 2);
  }
}
