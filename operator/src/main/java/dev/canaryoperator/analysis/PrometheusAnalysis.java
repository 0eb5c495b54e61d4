package dev.canaryoperator.analysis;

import static dev.canaryoperator.analysis.PrometheusQueryException.Kind.NO_DATA;

import dev.canaryoperator.api.AnalysisSpec;
import dev.canaryoperator.api.Durations;
import dev.canaryoperator.api.PrometheusSpec;
import dev.canaryoperator.statistics.Histogram;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One analysis round against Prometheus: builds the queries from the release, runs them all at the
 * same evaluation time (both sides see the same window), and hands the numbers to the {@link
 * Judge}. Problems with Prometheus, its credentials or the spec end in an Inconclusive result whose
 * reason names them; analyze() does not throw for them.
 */
public final class PrometheusAnalysis implements Analysis {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusAnalysis.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Rotated CA certificates leave old entries behind; past this many the cache starts over. */
  private static final int MAX_HTTP_CLIENTS = 32;

  private final CredentialsResolver credentials;
  private final Clock clock;

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

  public PrometheusAnalysis(CredentialsResolver credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  @Override
  public AnalysisResult analyze(AnalysisTarget target) {
    try {
      return analyzeOrExplain(target);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AnalysisResult.inconclusive("the analysis was interrupted");
    } catch (RuntimeException e) {
      // A bug here must not take the reconciler down; the release holds (or rolls back per
      // onNoData).
      LOG.warn("analysis of {}/{} failed unexpectedly", target.namespace(), target.name(), e);
      return AnalysisResult.inconclusive("the analysis failed unexpectedly: " + e);
    }
  }

  private AnalysisResult analyzeOrExplain(AnalysisTarget target) throws InterruptedException {
    QueryPlan plan;
    Instant time = clock.instant();
    try {
      plan = QueryPlan.of(target, time);
    } catch (IllegalArgumentException e) {
      return AnalysisResult.inconclusive("cannot build the Prometheus queries: " + e.getMessage());
    }
    AnalysisSpec analysis = target.spec().getAnalysis();
    PrometheusSpec prometheus = analysis.getPrometheus();
    if (prometheus == null || prometheus.getUrl() == null || prometheus.getUrl().isBlank()) {
      return AnalysisResult.inconclusive("spec.analysis.prometheus.url is missing");
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
      return AnalysisResult.inconclusive(
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
        return AnalysisResult.inconclusive("no Prometheus credentials: " + e.getMessage());
      }
    }
    PrometheusClient client = new PrometheusClient(url, timeout, auth, httpClient(auth, timeout));
    Instant stableTime = target.stableBaselineAt() == null ? time : target.stableBaselineAt();
    try {
      SideReadings stable = measure(client, plan.stable(), stableTime);
      SideReadings canary = measure(client, plan.canary(), time);
      List<CheckResult> checks = new ArrayList<>();
      for (QueryPlan.PlannedCheck check : plan.checks()) {
        checks.add(run(client, check, time, stableTime));
      }
      Thresholds thresholds = Thresholds.of(analysis, plan.spanText());
      return Judge.judge(thresholds, canary, stable, checks);
    } catch (PrometheusQueryException e) {
      // only problems with Prometheus itself get here: the rest of the round would fail alike
      return AnalysisResult.inconclusive(e.getMessage());
    }
  }

  private HttpClient httpClient(PrometheusCredentials auth, Duration timeout) {
    if (httpClients.size() > MAX_HTTP_CLIENTS) {
      httpClients.clear();
    }
    return httpClients.computeIfAbsent(
        new HttpClientKey(auth.trustedCertificates(), timeout),
        key -> PrometheusClient.httpClient(auth, timeout));
  }

  /**
   * Istio creates a destination's series at its first request, and its 5xx series at its first 5xx:
   * no series means none happened, so an empty result counts as 0 for these two.
   */
  private static SideReadings measure(PrometheusClient client, SideQueries queries, Instant time)
      throws PrometheusQueryException, InterruptedException {
    Reading requests = read(client, queries.requests(), time, true);
    Reading errors = read(client, queries.errors(), time, true);
    return new SideReadings(requests, errors, latency(client, queries, time));
  }

  /** The latency histogram: one cumulative count per bucket bound, and the exact sum. */
  private static LatencyReading latency(PrometheusClient client, SideQueries queries, Instant time)
      throws PrometheusQueryException, InterruptedException {
    List<PrometheusClient.Sample> buckets;
    try {
      buckets = client.query(queries.latencyBuckets(), time);
    } catch (PrometheusQueryException e) {
      if (e.kind().serverProblem()) {
        throw e;
      }
      return LatencyReading.missing(e.getMessage());
    }
    if (buckets.isEmpty()) {
      return LatencyReading.missing("no latency series (" + SideQueries.DURATION + "_bucket)");
    }
    TreeMap<Double, Double> counts = new TreeMap<>();
    for (PrometheusClient.Sample sample : buckets) {
      String le = sample.labels().get("le");
      double bound;
      try {
        bound = le == null ? Double.NaN : parseBound(le);
      } catch (NumberFormatException e) {
        bound = Double.NaN;
      }
      if (Double.isNaN(bound) || Double.isNaN(sample.value())) {
        return LatencyReading.missing("a latency bucket without a usable le label: " + le);
      }
      counts.merge(bound, sample.value(), Double::sum);
    }
    if (!counts.containsKey(Double.POSITIVE_INFINITY)) {
      return LatencyReading.missing("the latency histogram has no +Inf bucket");
    }
    Reading sum = read(client, queries.latencySum(), time, true);
    if (!sum.present()) {
      return LatencyReading.missing(sum.problem());
    }
    double[] bounds = counts.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    double[] cumulative = counts.values().stream().mapToDouble(Double::doubleValue).toArray();
    return LatencyReading.of(new Histogram(bounds, cumulative, sum.value()));
  }

  private static double parseBound(String le) {
    return switch (le) {
      case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      default -> Double.parseDouble(le);
    };
  }

  private static CheckResult run(
      PrometheusClient client, QueryPlan.PlannedCheck check, Instant time, Instant stableTime)
      throws PrometheusQueryException, InterruptedException {
    if (check.problem() != null) {
      return Judge.unbuildable(check.check(), check.problem());
    }
    Reading canary = read(client, check.canaryQuery(), time, false);
    Reading stable =
        check.stableQuery() == null ? null : read(client, check.stableQuery(), stableTime, false);
    return Judge.check(check.check(), canary, stable);
  }

  /** A query's value, or why there is none; problems with Prometheus itself are thrown. */
  private static Reading read(
      PrometheusClient client, String promql, Instant time, boolean emptyIsZero)
      throws PrometheusQueryException, InterruptedException {
    try {
      return Reading.of(client.queryValue(promql, time));
    } catch (PrometheusQueryException e) {
      if (e.kind().serverProblem()) {
        throw e;
      }
      if (emptyIsZero && e.kind() == NO_DATA) {
        return Reading.of(0);
      }
      return Reading.missing(e.getMessage());
    }
  }
}
