package dev.canaryoperator.analysis;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.PrometheusSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One analysis round against Prometheus: builds the queries from the release, runs them all at the
 * same evaluation time (both sides see the same window), and hands the numbers to the {@link
 * Judge}. Problems with Prometheus, its credentials or the spec end in an Inconclusive result whose
 * reason names them; analyze() does not throw for them.
 */
public final class PrometheusAnalysis implements Analysis, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusAnalysis.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Rotated CA certificates leave old entries behind; past this many the cache starts over. */
  private static final int MAX_HTTP_CLIENTS = 32;

  /** Queries in flight at once against one Prometheus; the rest wait without a thread. */
  static final int QUERIES_PER_ENDPOINT = 8;

  private static final int MAX_ENDPOINTS = 64;

  private final CredentialsResolver credentials;
  private final Clock clock;
  private final MeasureBatcher batcher;
  private final Consumer<String> queryFailures;
  private final Map<String, QueryLimit> limits = new ConcurrentHashMap<>();

  /**
   * HttpClients are expensive (a selector thread each) and JDK 17 cannot close them, so one is kept
   * per trust configuration and timeout instead of one per round.
   */
  private final Map<HttpClientKey, HttpClient> httpClients = new ConcurrentHashMap<>();

  private record HttpClientKey(List<X509Certificate> trusted, Duration connectTimeout) {}

  /** Reads Prometheus credentials from Secrets through this client. */
  public PrometheusAnalysis(KubernetesClient client, Clock clock) {
    this(new KubernetesSecretCredentials(client), clock);
  }

  /**
   * @param queryFailures told the kind (e.g. "TIMEOUT") of every query that failed
   */
  public PrometheusAnalysis(KubernetesClient client, Clock clock, Consumer<String> queryFailures) {
    this(new KubernetesSecretCredentials(client), clock, true, queryFailures);
  }

  public PrometheusAnalysis(CredentialsResolver credentials, Clock clock) {
    this(credentials, clock, true);
  }

  /**
   * @param batched false to give every side its own queries (to compare with the grouped ones)
   */
  PrometheusAnalysis(CredentialsResolver credentials, Clock clock, boolean batched) {
    this(credentials, clock, batched, kind -> {});
  }

  private PrometheusAnalysis(
      CredentialsResolver credentials,
      Clock clock,
      boolean batched,
      Consumer<String> queryFailures) {
    this.queryFailures = queryFailures;
    this.credentials = credentials;
    this.clock = clock;
    this.batcher = batched ? new MeasureBatcher(clock) : null;
  }

  @Override
  public AnalysisResult analyze(AnalysisTarget target) {
    return analyzeAsync(target, Runnable::run).join();
  }

  /**
   * Only the preparation (the plan, the credentials from a Secret) runs on {@code executor}; the
   * queries hold no thread while Prometheus answers, and one timeout (spec.analysis.prometheus's)
   * covers the whole round.
   */
  @Override
  public CompletableFuture<AnalysisResult> analyzeAsync(AnalysisTarget target, Executor executor) {
    return CompletableFuture.supplyAsync(() -> prepare(target), executor)
        .thenCompose(
            round ->
                round.early() != null
                    ? CompletableFuture.completedFuture(round.early())
                    : run(round)
                        .completeOnTimeout(
                            AnalysisResult.inconclusive(
                                "Prometheus at "
                                    + round.client().url()
                                    + " did not answer every query of the round within "
                                    + Durations.format(round.timeout())),
                            round.timeout().toMillis(),
                            TimeUnit.MILLISECONDS)
                        .whenComplete((result, failure) -> round.client().abandon()))
        .exceptionally(
            e -> {
              // A bug here must not take the reconciler down; the release holds (or rolls back
              // per onNoData).
              LOG.warn(
                  "analysis of {}/{} failed unexpectedly", target.namespace(), target.name(), e);
              return AnalysisResult.inconclusive("the analysis failed unexpectedly: " + e);
            });
  }

  /** A round ready to query, or its result when it ends before any query. */
  private record Round(
      AnalysisTarget target,
      QueryPlan plan,
      Instant time,
      PrometheusClient client,
      Duration timeout,
      AnalysisResult early) {
    static Round ended(AnalysisTarget target, String reason) {
      return new Round(target, null, null, null, null, AnalysisResult.inconclusive(reason));
    }
  }

  private Round prepare(AnalysisTarget target) {
    QueryPlan plan;
    Instant time = clock.instant();
    try {
      plan = QueryPlan.of(target, time);
    } catch (IllegalArgumentException e) {
      return Round.ended(target, "cannot build the Prometheus queries: " + e.getMessage());
    }
    AnalysisSpec analysis = target.spec().getAnalysis();
    PrometheusSpec prometheus = analysis.getPrometheus();
    if (prometheus == null || prometheus.getUrl() == null || prometheus.getUrl().isBlank()) {
      return Round.ended(target, "spec.analysis.prometheus.url is missing");
    }
    URI url;
    Duration timeout;
    try {
      url = URI.create(prometheus.getUrl());
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())
          || url.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL with a host");
      }
      timeout =
          prometheus.getTimeout() == null
              ? DEFAULT_TIMEOUT
              : Durations.parse(prometheus.getTimeout());
      if (timeout.isZero()) {
        throw new IllegalArgumentException("the timeout must be more than 0");
      }
    } catch (IllegalArgumentException e) {
      return Round.ended(
          target,
          "spec.analysis.prometheus (url '"
              + prometheus.getUrl()
              + "', timeout '"
              + prometheus.getTimeout()
              + "'): "
              + e.getMessage());
    }
    PrometheusCredentials auth = PrometheusCredentials.NONE;
    if (prometheus.getSecretName() != null && !prometheus.getSecretName().isBlank()) {
      try {
        auth = credentials.resolve(target.namespace(), prometheus.getSecretName());
      } catch (CredentialsException e) {
        return Round.ended(target, "no Prometheus credentials: " + e.getMessage());
      }
    }
    PrometheusClient client =
        new PrometheusClient(
            url,
            timeout,
            auth,
            httpClient(auth, timeout),
            PrometheusClient.MAX_RESPONSE_BYTES,
            limit(url),
            kind -> queryFailures.accept(kind.name()));
    if (batcher != null) {
      // the time other rounds against this Prometheus are evaluated at, to share their queries
      time = batcher.evaluationTime(client.endpoint());
      plan = QueryPlan.of(target, time);
    }
    return new Round(target, plan, time, client, timeout, null);
  }

  private CompletableFuture<AnalysisResult> run(Round round) {
    AnalysisTarget target = round.target();
    QueryPlan plan = round.plan();
    Instant time = round.time();
    Instant stableTime = target.stableBaselineAt() == null ? time : target.stableBaselineAt();
    CompletableFuture<SideReadings> stable = measure(round.client(), plan.stable(), stableTime);
    CompletableFuture<SideReadings> canary = measure(round.client(), plan.canary(), time);
    List<CompletableFuture<CheckResult>> checks = new ArrayList<>();
    for (QueryPlan.PlannedCheck check : plan.checks()) {
      checks.add(run(round.client(), check, time, stableTime));
    }
    List<CompletableFuture<?>> all = new ArrayList<>(checks);
    all.add(stable);
    all.add(canary);
    Thresholds thresholds = Thresholds.of(target.spec().getAnalysis(), plan.spanText());
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle(
            (done, failure) -> {
              // only problems with Prometheus itself fail a part of the round: the rest would
              // fail alike, and the stable's is named first
              for (CompletableFuture<?> part : List.of(stable, canary)) {
                if (part.isCompletedExceptionally()) {
                  return AnalysisResult.inconclusive(
                      PrometheusQueryException.of(exception(part)).getMessage());
                }
              }
              for (CompletableFuture<CheckResult> part : checks) {
                if (part.isCompletedExceptionally()) {
                  return AnalysisResult.inconclusive(
                      PrometheusQueryException.of(exception(part)).getMessage());
                }
              }
              return Judge.judge(
                  thresholds,
                  canary.join(),
                  stable.join(),
                  checks.stream().map(CompletableFuture::join).toList());
            });
  }

  private static Throwable exception(CompletableFuture<?> failed) {
    try {
      failed.join();
      throw new IllegalStateException("not failed");
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return e;
    }
  }

  /** A side named by its mesh destination shares a grouped query; any other asks its own. */
  private CompletableFuture<SideReadings> measure(
      PrometheusClient client, SideQueries queries, Instant time) {
    if (batcher != null && queries.destination().isPresent()) {
      return batcher.measure(client, queries.destination().get(), time, queries.span());
    }
    return SideMeasures.measure(client, queries, time);
  }

  private HttpClient httpClient(PrometheusCredentials auth, Duration timeout) {
    if (httpClients.size() > MAX_HTTP_CLIENTS) {
      httpClients.clear();
    }
    return httpClients.computeIfAbsent(
        new HttpClientKey(auth.trustedCertificates(), timeout),
        key -> PrometheusClient.httpClient(auth, timeout));
  }

  private QueryLimit limit(URI url) {
    if (limits.size() > MAX_ENDPOINTS) {
      limits.clear();
    }
    return limits.computeIfAbsent(url.toString(), key -> new QueryLimit(QUERIES_PER_ENDPOINT));
  }

  private static CompletableFuture<CheckResult> run(
      PrometheusClient client, QueryPlan.PlannedCheck check, Instant time, Instant stableTime) {
    if (check.problem() != null) {
      return CompletableFuture.completedFuture(Judge.unbuildable(check.check(), check.problem()));
    }
    CompletableFuture<Reading> canary = read(client, check.canaryQuery(), time);
    CompletableFuture<Reading> stable =
        check.stableQuery() == null
            ? CompletableFuture.completedFuture(null)
            : read(client, check.stableQuery(), stableTime);
    return canary.thenCombine(stable, (c, s) -> Judge.check(check.check(), c, s));
  }

  /** A query's value, or why there is none; problems with Prometheus itself fail the future. */
  private static CompletableFuture<Reading> read(
      PrometheusClient client, String promql, Instant time) {
    return client
        .queryValueAsync(promql, time)
        .handle(
            (value, failure) -> {
              if (failure == null) {
                return Reading.of(value);
              }
              PrometheusQueryException e = PrometheusQueryException.of(failure);
              if (e.kind().serverProblem()) {
                throw new CompletionException(e);
              }
              return Reading.missing(e.getMessage());
            });
  }

  @Override
  public void close() {
    if (batcher != null) {
      batcher.close();
    }
  }
}
