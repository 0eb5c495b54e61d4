package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.canaryoperator.analysis.PrometheusQueryException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a local HTTP server that answers the way Prometheus' API does (the client is what is
 * tested).
 */
class PrometheusClientTest {
  private static final Instant TIME = Instant.parse("2025-06-01T12:00:00.250Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private HttpServer server;
  private ExecutorService executor;
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile int status = 200;
  private volatile String body = "";
  private volatile boolean hang;
  private volatile String lastPath;
  private volatile Map<String, String> lastParameters;
  private volatile String lastAuthorization;

  @BeforeEach
  void startServer() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.setExecutor(executor);
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private void answer(HttpExchange exchange) throws IOException {
    lastPath = exchange.getRequestURI().getPath();
    lastParameters = parameters(exchange.getRequestURI().getRawQuery());
    lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (hang) {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange
        .getResponseHeaders()
        .set("Content-Type", body.startsWith("{") ? "application/json" : "text/html");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static Map<String, String> parameters(String rawQuery) {
    Map<String, String> result = new LinkedHashMap<>();
    for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      result.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return result;
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private PrometheusClient client(PrometheusCredentials credentials) {
    return new PrometheusClient(url(), TIMEOUT, credentials);
  }

  private PrometheusClient clientReadingAtMost(long bytes) {
    return new PrometheusClient(
        url(),
        TIMEOUT,
        PrometheusCredentials.NONE,
        PrometheusClient.httpClient(PrometheusCredentials.NONE, TIMEOUT),
        bytes,
        QueryLimit.NONE,
        kind -> {});
  }

  private void respond(int status, String body) {
    this.status = status;
    this.body = body;
  }

  private static String vector(String... samples) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + String.join(",", samples)
        + "]}}";
  }

  private static String sample(String labels, String value) {
    return "{\"metric\":{" + labels + "},\"value\":[1748779200.25,\"" + value + "\"]}";
  }

  @Test
  void readsAnInstantVectorAndSendsTheQueryAndTime() throws Exception {
    respond(200, vector(sample("\"destination_version\":\"v2\"", "5210.5")));

    List<PrometheusClient.Sample> samples =
        client(PrometheusCredentials.NONE)
            .query("sum(increase(istio_requests_total{reporter=\"destination\"}[5m]))", TIME);

    assertThat(samples)
        .containsExactly(new PrometheusClient.Sample(Map.of("destination_version", "v2"), 5210.5));
    assertThat(lastPath).isEqualTo("/api/v1/query");
    assertThat(lastParameters)
        .containsExactly(
            Map.entry("query", "sum(increase(istio_requests_total{reporter=\"destination\"}[5m]))"),
            Map.entry("time", "1748779200.250"));
  }

  @Test
  void readsAScalar() throws Exception {
    respond(
        200,
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1748779200.25,\"0.25\"]}}");

    assertThat(client(PrometheusCredentials.NONE).queryValue("scalar(0.25)", TIME)).isEqualTo(0.25);
  }

  @Test
  void keepsAPathPrefixOfTheBaseUrl() throws Exception {
    respond(200, vector(sample("", "1")));

    new PrometheusClient(URI.create(url() + "/prometheus/"), TIMEOUT, PrometheusCredentials.NONE)
        .queryValue("up", TIME);

    assertThat(lastPath).isEqualTo("/prometheus/api/v1/query");
  }

  @Test
  void sendsABearerToken() throws Exception {
    respond(200, vector(sample("", "1")));

    client(PrometheusCredentials.bearer("s3cr3t")).queryValue("up", TIME);

    assertThat(lastAuthorization).isEqualTo("Bearer s3cr3t");
  }

  @Test
  void sendsBasicCredentials() throws Exception {
    respond(200, vector(sample("", "1")));

    client(PrometheusCredentials.basic("canary", "pässword")).queryValue("up", TIME);

    // base64("canary:pässword") in UTF-8
    assertThat(lastAuthorization).isEqualTo("Basic Y2FuYXJ5OnDDpHNzd29yZA==");
  }

  @Test
  void sendsNoAuthorizationWithoutCredentials() throws Exception {
    respond(200, vector(sample("", "1")));

    client(PrometheusCredentials.NONE).queryValue("up", TIME);

    assertThat(lastAuthorization).isNull();
  }

  @Test
  void passesOnPrometheusOwnErrorText() {
    respond(
        400,
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected \\\"}\\\"\"}");

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("sum(}", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.QUERY_REJECTED))
        .hasMessage(
            "Prometheus rejected the query with HTTP 400 (bad_data: 1:5: parse error: unexpected \"}\"); query: sum(}");
  }

  @Test
  void reportsOtherHttpErrorsWithTheStartOfTheBody() {
    respond(502, "<html><body>\n  <h1>502 Bad Gateway</h1>\n</body></html>");

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.HTTP_ERROR))
        .hasMessage(
            "Prometheus at "
                + url()
                + " answered HTTP 502 (<html><body> <h1>502 Bad Gateway</h1> </body></html>)");
  }

  @Test
  void reportsRefusedCredentialsWithoutRepeatingThem() {
    respond(401, "Unauthorized");

    assertThatThrownBy(() -> client(PrometheusCredentials.bearer("s3cr3t")).queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED))
        .hasMessage("Prometheus at " + url() + " refused the request: HTTP 401 (Unauthorized)")
        .message()
        .doesNotContain("s3cr3t");
  }

  @Test
  void refusesAMatrix() {
    respond(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).query("up[5m]", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.BAD_RESULT_TYPE))
        .hasMessage("the query returned a matrix, not an instant vector or a scalar: up[5m]");
  }

  @Test
  void refusesNaN() throws Exception {
    respond(200, vector(sample("", "NaN")));

    assertThat(client(PrometheusCredentials.NONE).query("0/0", TIME).get(0).value()).isNaN();
    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("0/0", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_A_NUMBER))
        .hasMessage("the value is NaN: 0/0");
  }

  @Test
  void refusesInfinity() {
    respond(200, vector(sample("", "+Inf")));

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("1/0", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_A_NUMBER))
        .hasMessage("the value is +Inf: 1/0");
  }

  @Test
  void reportsAnEmptyResult() throws Exception {
    respond(200, vector());

    assertThat(client(PrometheusCredentials.NONE).query("absent_metric", TIME)).isEmpty();
    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("absent_metric", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_DATA))
        .hasMessage("no data (no series match): absent_metric");
  }

  @Test
  void refusesSeveralSeriesWhereOneValueIsNeeded() {
    respond(200, vector(sample("\"v\":\"1\"", "1"), sample("\"v\":\"2\"", "2")));

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AMBIGUOUS))
        .hasMessage("2 series where one value was expected (aggregate them, e.g. with sum()): up");
  }

  @Test
  void refusesSomethingThatIsNotPrometheus() {
    respond(200, "<html>Grafana</html>");

    assertThatThrownBy(() -> client(PrometheusCredentials.NONE).queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE))
        .hasMessage(
            "Prometheus at "
                + url()
                + " answered with something that is not a Prometheus API response: "
                + "<html>Grafana</html>");
  }

  @Test
  void refusesAnAnswerOverTheSizeLimitWithoutKeepingIt() {
    // a valid vector of 2,000 series, about 160 KB, against a 64 KiB limit
    String[] samples = new String[2000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = sample("\"pod\":\"reviews-" + i + "-abcdefghijklmnopqrstuvwxyz\"", "1");
    }
    respond(200, vector(samples));
    PrometheusClient client = clientReadingAtMost(64 * 1024);

    assertThatThrownBy(() -> client.query("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
              assertThat(e.kind().serverProblem()).isFalse();
            })
        .hasMessageStartingWith("Prometheus at " + url() + " answered with more than 64 KiB")
        .hasMessageEndingWith("nothing of it was kept. Query: up");
  }

  @Test
  void readsAnAnswerJustUnderTheSizeLimit() throws Exception {
    respond(200, vector(sample("", "7")));
    long size = vector(sample("", "7")).getBytes(StandardCharsets.UTF_8).length;
    PrometheusClient client = clientReadingAtMost(size);

    assertThat(client.queryValue("up", TIME)).isEqualTo(7.0);
  }

  @Test
  void givesUpAfterTheTimeout() {
    hang = true;
    respond(200, vector(sample("", "1")));
    PrometheusClient client =
        new PrometheusClient(url(), Duration.ofMillis(300), PrometheusCredentials.NONE);

    assertThatThrownBy(() -> client.queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
        .hasMessage("Prometheus at " + url() + " did not answer within 300ms");
  }

  @Test
  void reportsAnUnreachableServer() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    URI nothing = URI.create("http://127.0.0.1:" + port);

    assertThatThrownBy(
            () ->
                new PrometheusClient(nothing, TIMEOUT, PrometheusCredentials.NONE)
                    .queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessage(
            "Prometheus at "
                + nothing
                + " is unreachable: cannot connect to 127.0.0.1:"
                + port
                + " (connection refused or no route)");
  }

  @Test
  void reportsAnUnknownHost() {
    URI nowhere = URI.create("http://prometheus.does-not-exist.invalid:9090");

    assertThatThrownBy(
            () ->
                new PrometheusClient(nowhere, TIMEOUT, PrometheusCredentials.NONE)
                    .queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessage(
            "Prometheus at "
                + nowhere
                + " is unreachable: unknown host prometheus.does-not-exist.invalid");
  }

  @Test
  void neverShowsUserInfoOfTheUrl() {
    PrometheusClient client =
        new PrometheusClient(
            URI.create("http://admin:hunter2@127.0.0.1:1"), TIMEOUT, PrometheusCredentials.NONE);

    assertThat(client.url()).isEqualTo("http://127.0.0.1:1");
  }

  // ---- https with a CA of our own

  @TempDir static Path tlsDir;
  private static Path keystore;
  private static String caPem;
  private HttpsServer httpsServer;

  /**
   * A self-signed certificate for 127.0.0.1, made once with the JDK's keytool (it takes seconds).
   */
  @BeforeAll
  static void makeCertificate() throws Exception {
    keystore = tlsDir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "prometheus",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=prometheus-test",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    caPem =
        run(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "prometheus",
            "-keystore",
            keystore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit");
  }

  @Test
  void trustsTheCaFromTheCredentials() throws Exception {
    startHttpsServer();
    respond(200, vector(sample("", "42")));
    PrometheusCredentials credentials =
        PrometheusCredentials.NONE.trusting(
            KubernetesSecretCredentials.certificates(caPem, "test"));

    double value = new PrometheusClient(httpsUrl(), TIMEOUT, credentials).queryValue("up", TIME);

    assertThat(value).isEqualTo(42);
  }

  @Test
  void withoutTheCaTheHandshakeFailsSayingSo() throws Exception {
    startHttpsServer();
    respond(200, vector(sample("", "42")));

    assertThatThrownBy(
            () ->
                new PrometheusClient(httpsUrl(), TIMEOUT, PrometheusCredentials.NONE)
                    .queryValue("up", TIME))
        .isInstanceOfSatisfying(
            PrometheusQueryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
        .hasMessageStartingWith("TLS with Prometheus at " + httpsUrl() + " failed: ")
        .hasMessageContaining("certification path");
  }

  private URI httpsUrl() {
    return URI.create("https://127.0.0.1:" + httpsServer.getAddress().getPort());
  }

  @AfterEach
  void stopHttpsServer() {
    if (httpsServer != null) {
      httpsServer.stop(0);
    }
  }

  private void startHttpsServer() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    httpsServer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    httpsServer.setHttpsConfigurator(new HttpsConfigurator(context));
    httpsServer.createContext("/", this::answer);
    httpsServer.setExecutor(executor);
    httpsServer.start();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }
}
