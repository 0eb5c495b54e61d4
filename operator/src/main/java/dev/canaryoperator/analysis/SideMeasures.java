package dev.canaryoperator.analysis;

import dev.canaryoperator.statistics.Histogram;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One side's built-in readings from the answers to its four queries, whether the queries were its
 * own ({@link SideQueries}) or shared with other sides ({@link GroupedQueries}): the same rules
 * either way, so batching cannot change a verdict.
 *
 * <p>Istio creates a destination's series at its first request, and its 5xx series at its first
 * 5xx: no series means none happened, so no row counts as 0 for requests, errors and the latency
 * sum. Problems with Prometheus itself end the round (they are thrown); a problem with one query
 * only marks that reading.
 */
final class SideMeasures {
  private SideMeasures() {}

  /** A query's rows, or why there are none. */
  record Answer(List<PrometheusClient.Sample> samples, PrometheusQueryException problem) {
    static CompletableFuture<Answer> of(CompletableFuture<List<PrometheusClient.Sample>> query) {
      return query.handle(
          (samples, failure) ->
              failure == null
                  ? new Answer(samples, null)
                  : new Answer(null, PrometheusQueryException.of(failure)));
    }

    void throwIfServerProblem() throws PrometheusQueryException {
      if (problem != null && problem.kind().serverProblem()) {
        throw problem;
      }
    }
  }

  /** The four answers of a side's own queries, asked at once. */
  static CompletableFuture<SideReadings> measure(
      PrometheusClient client, SideQueries queries, Instant time) {
    CompletableFuture<Answer> requests = Answer.of(client.queryAsync(queries.requests(), time));
    CompletableFuture<Answer> errors = Answer.of(client.queryAsync(queries.errors(), time));
    CompletableFuture<Answer> buckets =
        Answer.of(client.queryAsync(queries.latencyBuckets(), time));
    CompletableFuture<Answer> sum = Answer.of(client.queryAsync(queries.latencySum(), time));
    return CompletableFuture.allOf(requests, errors, buckets, sum)
        .thenApply(
            done ->
                PrometheusClient.unchecked(
                    () ->
                        readings(
                            labels -> true,
                            requests.join(),
                            errors.join(),
                            buckets.join(),
                            sum.join())));
  }

  /** The readings of the rows that {@code mine} accepts. */
  static SideReadings readings(
      Predicate<Map<String, String>> mine,
      Answer requests,
      Answer errors,
      Answer buckets,
      Answer sum)
      throws PrometheusQueryException {
    requests.throwIfServerProblem();
    errors.throwIfServerProblem();
    buckets.throwIfServerProblem();
    sum.throwIfServerProblem();
    return new SideReadings(
        count(requests, mine), count(errors, mine), latency(buckets, sum, mine));
  }

  private static Reading count(Answer answer, Predicate<Map<String, String>> mine) {
    if (answer.problem() != null) {
      return Reading.missing(answer.problem().getMessage());
    }
    double total = 0;
    for (PrometheusClient.Sample sample : answer.samples()) {
      if (mine.test(sample.labels())) {
        total += sample.value();
      }
    }
    return Reading.of(total);
  }

  /** The latency histogram: one cumulative count per bucket bound, and the exact sum. */
  private static LatencyReading latency(
      Answer buckets, Answer sum, Predicate<Map<String, String>> mine) {
    if (buckets.problem() != null) {
      return LatencyReading.missing(buckets.problem().getMessage());
    }
    TreeMap<Double, Double> counts = new TreeMap<>();
    for (PrometheusClient.Sample sample : buckets.samples()) {
      if (!mine.test(sample.labels())) {
        continue;
      }
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
    if (counts.isEmpty()) {
      return LatencyReading.missing("no latency series (" + SideQueries.DURATION + "_bucket)");
    }
    if (!counts.containsKey(Double.POSITIVE_INFINITY)) {
      return LatencyReading.missing("the latency histogram has no +Inf bucket");
    }
    Reading total = count(sum, mine);
    if (!total.present()) {
      return LatencyReading.missing(total.problem());
    }
    double[] bounds = counts.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    double[] cumulative = counts.values().stream().mapToDouble(Double::doubleValue).toArray();
    return LatencyReading.of(new Histogram(bounds, cumulative, total.value()));
  }

  private static double parseBound(String le) {
    return switch (le) {
      case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      default -> Double.parseDouble(le);
    };
  }
}
