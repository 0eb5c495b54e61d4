package dev.canaryoperator.analysis;

import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.AMBIGUOUS;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.BAD_RESPONSE;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.BAD_RESULT_TYPE;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.HTTP_ERROR;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.NOT_A_NUMBER;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.NO_DATA;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.QUERY_REJECTED;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.TIMEOUT;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.TLS;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.TOO_LARGE;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.UNAUTHORIZED;
import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.UNREACHABLE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.api.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Instant queries against Prometheus' HTTP API ({@code GET /api/v1/query}). Every query names its
 * evaluation time, so that all queries of one analysis round see the same instant. Failures are
 * {@link PrometheusQueryException}s whose message says what went wrong in a sentence, with
 * Prometheus' own error text when it sent one and never with the credentials.
 */
public final class PrometheusClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_TEXT = 300;

  /**
   * The most an answer may weigh. The built-in queries answer in a few kilobytes (a histogram is
   * about 20 series); a custom check over thousands of series is a mistake to report, not to load.
   */
  static final long MAX_RESPONSE_BYTES = 4L * 1024 * 1024;

  /**
   * What makes two clients interchangeable: the same Prometheus, credentials and timeout. Queries
   * of one endpoint may be grouped.
   */
  record Endpoint(URI url, PrometheusCredentials credentials, Duration timeout) {}

  /** One series of an instant vector (a scalar comes back as one sample without labels). */
  public record Sample(Map<String, String> labels, double value) {}

  private final URI queryEndpoint;
  private final String displayUrl;
  private final Duration timeout;
  private final PrometheusCredentials credentials;
  private final HttpClient http;
  private final long maxResponseBytes;
  private final QueryLimit limit;
  private final Consumer<PrometheusQueryException.Kind> failures;
  private final URI baseUrl;
  private final Endpoint endpoint;

  /** Queries asked through this client and not answered yet, for {@link #abandon}. */
  private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();

  public PrometheusClient(URI baseUrl, Duration timeout, PrometheusCredentials credentials) {
    this(
        baseUrl,
        timeout,
        credentials,
        httpClient(credentials, timeout),
        MAX_RESPONSE_BYTES,
        QueryLimit.NONE,
        kind -> {});
  }

  /**
   * @param http shared; it must trust what {@code credentials} asks to trust
   * @param limit the queries in flight at once against this Prometheus, shared by every client of
   *     the same endpoint
   * @param failures told the kind of every query that failed (for the operator's metrics)
   */
  PrometheusClient(
      URI baseUrl,
      Duration timeout,
      PrometheusCredentials credentials,
      HttpClient http,
      long maxResponseBytes,
      QueryLimit limit,
      Consumer<PrometheusQueryException.Kind> failures) {
    this.failures = failures;
    this.maxResponseBytes = maxResponseBytes;
    this.limit = limit;
    this.endpoint = new Endpoint(baseUrl, credentials, timeout);
    this.baseUrl = baseUrl;
    String base = baseUrl.toString().replaceAll("/+$", "");
    this.queryEndpoint = URI.create(base + "/api/v1/query");
    this.displayUrl = withoutUserInfo(baseUrl);
    this.timeout = timeout;
    this.credentials = credentials;
    this.http = http;
  }

  /**
   * An HttpClient for these credentials: with CA certificates it trusts those only (like curl
   * --cacert), otherwise the JVM's default trust store.
   */
  public static HttpClient httpClient(PrometheusCredentials credentials, Duration connectTimeout) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    if (!credentials.trustedCertificates().isEmpty()) {
      builder.sslContext(trusting(credentials.trustedCertificates()));
    }
    return builder.build();
  }

  private static SSLContext trusting(List<X509Certificate> certificates) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      // certificates that parsed as X.509 always fit into an in-memory key store
      throw new IllegalStateException("cannot build a trust store from the CA certificates", e);
    }
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** A client for the same endpoint whose queries are abandoned apart from this one's. */
  PrometheusClient copy() {
    return new PrometheusClient(
        baseUrl, timeout, credentials, http, maxResponseBytes, limit, failures);
  }

  /**
   * Nobody waits for the answers any more (the round timed out): queries still waiting for a place
   * are never sent, and those in flight are cancelled.
   */
  void abandon() {
    for (CompletableFuture<?> query : unanswered) {
      query.cancel(true);
    }
  }

  /** The base URL as it may appear in messages (no user:password@). */
  public String url() {
    return displayUrl;
  }

  /**
   * The one number a query yields: a scalar, or an instant vector with exactly one finite sample.
   */
  public double queryValue(String promql, Instant time)
      throws PrometheusQueryException, InterruptedException {
    return await(queryValueAsync(promql, time));
  }

  /** {@link #queryValue}, without holding a thread while Prometheus answers. */
  public CompletableFuture<Double> queryValueAsync(String promql, Instant time) {
    return queryAsync(promql, time).thenApply(samples -> unchecked(() -> value(samples, promql)));
  }

  private static double value(List<Sample> samples, String promql) throws PrometheusQueryException {
    if (samples.isEmpty()) {
      throw new PrometheusQueryException(NO_DATA, "no data (no series match): " + promql);
    }
    if (samples.size() > 1) {
      throw new PrometheusQueryException(
          AMBIGUOUS,
          samples.size()
              + " series where one value was expected (aggregate them, e.g. with sum()): "
              + promql);
    }
    double value = samples.get(0).value();
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new PrometheusQueryException(
          NOT_A_NUMBER, "the value is " + text(value) + ": " + promql);
    }
    return value;
  }

  /** An instant query; a scalar result comes back as one sample without labels. */
  public List<Sample> query(String promql, Instant time)
      throws PrometheusQueryException, InterruptedException {
    return await(queryAsync(promql, time));
  }

  /**
   * {@link #query}, without holding a thread while Prometheus answers: the future fails with a
   * {@link PrometheusQueryException} (see {@link PrometheusQueryException#of}).
   */
  public CompletableFuture<List<Sample>> queryAsync(String promql, Instant time) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    queryEndpoint
                        + "?query="
                        + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                        + "&time="
                        + evaluationTime(time)))
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET();
    authorization().ifPresent(value -> request.header("Authorization", value));
    HttpRequest built = request.build();
    CompletableFuture<HttpResponse<String>> sent =
        limit.submit(() -> http.sendAsync(built, CappedBody.handler(maxResponseBytes)));
    unanswered.add(sent);
    sent.whenComplete((response, failure) -> unanswered.remove(sent));
    return sent.handle(
        (response, failure) -> {
          try {
            if (failure != null) {
              throw failed(unwrap(failure), promql);
            }
            return parse(response, promql);
          } catch (PrometheusQueryException e) {
            failures.accept(e.kind());
            throw new CompletionException(e);
          }
        });
  }

  private PrometheusQueryException failed(Throwable e, String promql) {
    if (e instanceof PrometheusQueryException known) {
      return known;
    }
    if (e instanceof HttpTimeoutException) {
      return new PrometheusQueryException(
          TIMEOUT,
          "Prometheus at " + displayUrl + " did not answer within " + Durations.format(timeout),
          e);
    }
    if (e instanceof SSLException) {
      return new PrometheusQueryException(
          TLS,
          "TLS with Prometheus at " + displayUrl + " failed: " + describe(e, queryEndpoint),
          e);
    }
    CappedBody.TooLarge tooLarge = tooLarge(e);
    if (tooLarge != null) {
      return new PrometheusQueryException(
          TOO_LARGE,
          "Prometheus at "
              + displayUrl
              + " answered with more than "
              + size(tooLarge.limit())
              + ", more than any query of a release needs; nothing of it was kept. Query: "
              + promql,
          e);
    }
    return new PrometheusQueryException(
        UNREACHABLE,
        "Prometheus at " + displayUrl + " is unreachable: " + describe(e, queryEndpoint),
        e);
  }

  /** The failure inside a future's CompletionException or ExecutionException wrappers. */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Waits for a query's future, with its failure as the query's own exception. */
  static <T> T await(CompletableFuture<T> future)
      throws PrometheusQueryException, InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof PrometheusQueryException q) {
        throw q;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }

  interface QueryStep<T> {
    T get() throws PrometheusQueryException;
  }

  /** Inside a future's stage the checked failure travels as its cause. */
  static <T> T unchecked(QueryStep<T> step) {
    try {
      return step.get();
    } catch (PrometheusQueryException e) {
      throw new CompletionException(e);
    }
  }

  /** "4 MiB", "64 KiB", "1000 bytes". */
  static String size(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  private static CappedBody.TooLarge tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CappedBody.TooLarge tooLarge) {
        return tooLarge;
      }
    }
    return null;
  }

  private Optional<String> authorization() {
    if (credentials.bearerToken() != null) {
      return Optional.of("Bearer " + credentials.bearerToken());
    }
    if (credentials.username() != null) {
      String pair = credentials.username() + ":" + credentials.password();
      return Optional.of(
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  private List<Sample> parse(HttpResponse<String> response, String promql)
      throws PrometheusQueryException {
    int status = response.statusCode();
    JsonNode body = json(response.body());
    if (status == 401 || status == 403) {
      throw new PrometheusQueryException(
          UNAUTHORIZED,
          "Prometheus at "
              + displayUrl
              + " refused the request: HTTP "
              + status
              + errorText(body, response.body()));
    }
    if (status == 400 || status == 422) {
      throw new PrometheusQueryException(
          QUERY_REJECTED,
          "Prometheus rejected the query with HTTP "
              + status
              + errorText(body, response.body())
              + "; query: "
              + promql);
    }
    if (status != 200) {
      throw new PrometheusQueryException(
          HTTP_ERROR,
          "Prometheus at "
              + displayUrl
              + " answered HTTP "
              + status
              + errorText(body, response.body()));
    }
    if (body == null || !body.path("status").isTextual()) {
      throw new PrometheusQueryException(
          BAD_RESPONSE,
          "Prometheus at "
              + displayUrl
              + " answered with something that is not a Prometheus API response: "
              + excerpt(response.body()));
    }
    if (!"success".equals(body.path("status").asText())) {
      throw new PrometheusQueryException(
          QUERY_REJECTED,
          "Prometheus failed the query" + errorText(body, response.body()) + "; query: " + promql);
    }
    JsonNode data = body.path("data");
    String type = data.path("resultType").asText("");
    JsonNode result = data.path("result");
    switch (type) {
      case "scalar":
        return List.of(new Sample(Map.of(), value(result, promql)));
      case "vector":
        {
          if (!result.isArray()) {
            throw badShape(promql);
          }
          List<Sample> samples = new ArrayList<>();
          for (JsonNode series : result) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields();
                it.hasNext(); ) {
              Map.Entry<String, JsonNode> label = it.next();
              labels.put(label.getKey(), label.getValue().asText());
            }
            samples.add(new Sample(Map.copyOf(labels), value(series.path("value"), promql)));
          }
          return List.copyOf(samples);
        }
      default:
        throw new PrometheusQueryException(
            BAD_RESULT_TYPE,
            "the query returned a "
                + (type.isEmpty() ? "result without type" : type)
                + ", not an instant vector or a scalar: "
                + promql);
    }
  }

  /**
   * [timestamp, "value"]; Prometheus writes values as strings, with NaN, +Inf and -Inf spelled so.
   */
  private static double value(JsonNode pair, String promql) throws PrometheusQueryException {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      throw badShape(promql);
    }
    String text = pair.get(1).asText();
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new PrometheusQueryException(
              BAD_RESPONSE,
              "Prometheus sent '" + excerpt(text) + "' where a number belongs, for: " + promql);
        }
    }
  }

  private static PrometheusQueryException badShape(String promql) {
    return new PrometheusQueryException(
        BAD_RESPONSE,
        "Prometheus' answer does not have the shape of an instant"
            + " query result, for: "
            + promql);
  }

  private static JsonNode json(String text) {
    try {
      return text == null || text.isBlank() ? null : JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** ": <errorType>: <error>" from Prometheus' error JSON, else the start of whatever body came. */
  private static String errorText(JsonNode body, String raw) {
    if (body != null && body.path("error").isTextual()) {
      String type = body.path("errorType").asText("");
      return " ("
          + (type.isEmpty() ? "" : type + ": ")
          + excerpt(body.path("error").asText())
          + ")";
    }
    return raw == null || raw.isBlank() ? "" : " (" + excerpt(raw) + ")";
  }

  private static String excerpt(String text) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() <= MAX_ERROR_TEXT ? line : line.substring(0, MAX_ERROR_TEXT) + "...";
  }

  /**
   * Why a connection failed, in words. The JDK's HttpClient throws ConnectExceptions without a
   * message, with the reason only in the type of a cause (UnresolvedAddressException for an unknown
   * host, ClosedChannelException for a refused connection).
   */
  static String describe(Throwable e, URI endpoint) {
    String message = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host " + endpoint.getHost();
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    if (message != null) {
      return message;
    }
    return e instanceof ConnectException
        ? "cannot connect to "
            + endpoint.getHost()
            + ":"
            + endpoint.getPort()
            + " (connection refused or no route)"
        : e.getClass().getSimpleName();
  }

  private static String text(double v) {
    return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  }

  /** Seconds since the epoch with millisecond precision, as the API's time parameter takes it. */
  static String evaluationTime(Instant time) {
    long millis = time.toEpochMilli();
    return Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
  }

  private static String withoutUserInfo(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.toString().replace(uri.getRawUserInfo() + "@", "");
  }
}
