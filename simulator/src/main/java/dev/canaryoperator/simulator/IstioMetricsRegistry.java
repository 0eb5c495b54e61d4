package dev.canaryoperator.simulator;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Holds Istio's two request metrics and renders them exactly as an Envoy sidecar's Prometheus
 * endpoint does ({@code /stats/prometheus}): a {@code # TYPE} line per metric, one line per series
 * with labels in Istio's order, {@code le} printed like fmt's {@code {:.32g}} (0.5, 1, ...
 * 3600000), and an empty line after each metric.
 *
 * <p>Durations are whole milliseconds, truncated, because Istio records {@code
 * duration_cast<milliseconds>}. Envoy's own histogram approximates bucket counts and sums; ours are
 * exact, which only makes assertions easier.
 */
public final class IstioMetricsRegistry {

  public static final String REQUESTS_TOTAL = "istio_requests_total";
  public static final String REQUEST_DURATION = "istio_request_duration_milliseconds";

  /** Envoy's default histogram buckets, which Istio does not override (note the leading 0.5). */
  public static final List<Double> DEFAULT_BUCKETS_MS =
      List.of(
          0.5, 1d, 5d, 10d, 25d, 50d, 100d, 250d, 500d, 1000d, 2500d, 5000d, 10000d, 30000d, 60000d,
          300000d, 600000d, 1800000d, 3600000d);

  private final double[] bounds;
  private final Map<IstioRequestLabels, Series> series = new ConcurrentHashMap<>();

  public IstioMetricsRegistry() {
    this(DEFAULT_BUCKETS_MS);
  }

  public IstioMetricsRegistry(List<Double> bucketsMs) {
    this.bounds = bucketsMs.stream().mapToDouble(Double::doubleValue).toArray();
    for (int i = 1; i < bounds.length; i++) {
      if (bounds[i] <= bounds[i - 1]) {
        throw new IllegalArgumentException("buckets must increase: " + bucketsMs);
      }
    }
  }

  public void record(IstioRequestLabels labels, long durationMs) {
    if (durationMs < 0) {
      throw new IllegalArgumentException("negative duration " + durationMs);
    }
    series
        .computeIfAbsent(labels, l -> new Series(bounds.length))
        .observe(bucketIndex(durationMs), durationMs);
  }

  private int bucketIndex(long durationMs) {
    for (int i = 0; i < bounds.length; i++) {
      if (durationMs <= bounds[i]) {
        return i;
      }
    }
    return bounds.length; // only in +Inf
  }

  /** The Prometheus text exposition (format 0.0.4) of both metrics. */
  public String scrape() {
    // sorted by rendered labels so that repeated scrapes list series in the same order, as Envoy
    // does
    List<Map.Entry<String, Series.Snapshot>> rows =
        series.entrySet().stream()
            .map(e -> Map.entry(renderLabels(e.getKey()), e.getValue().snapshot()))
            .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
            .toList();
    if (rows.isEmpty()) {
      return ""; // Envoy omits metrics that were never used
    }
    StringBuilder out = new StringBuilder(rows.size() * 4096);
    out.append("# TYPE ").append(REQUESTS_TOTAL).append(" counter\n");
    for (var row : rows) {
      out.append(REQUESTS_TOTAL)
          .append('{')
          .append(row.getKey())
          .append("} ")
          .append(row.getValue().count())
          .append('\n');
    }
    out.append('\n');
    out.append("# TYPE ").append(REQUEST_DURATION).append(" histogram\n");
    for (var row : rows) {
      String labels = row.getKey();
      Series.Snapshot s = row.getValue();
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += s.buckets()[i];
        out.append(REQUEST_DURATION)
            .append("_bucket{")
            .append(labels)
            .append(",le=\"")
            .append(formatBound(bounds[i]))
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      out.append(REQUEST_DURATION)
          .append("_bucket{")
          .append(labels)
          .append(",le=\"+Inf\"} ")
          .append(s.count())
          .append('\n');
      out.append(REQUEST_DURATION)
          .append("_sum{")
          .append(labels)
          .append("} ")
          .append(s.sum())
          .append('\n');
      out.append(REQUEST_DURATION)
          .append("_count{")
          .append(labels)
          .append("} ")
          .append(s.count())
          .append('\n');
    }
    out.append('\n');
    return out.toString();
  }

  static String formatBound(double bound) {
    return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
  }

  static String renderLabels(IstioRequestLabels labels) {
    return labels.ordered().stream()
        .map(e -> e.getKey() + "=\"" + escape(e.getValue()) + "\"")
        .collect(Collectors.joining(","));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /**
   * One label set's counter and histogram, updated and read under one lock so a scrape is
   * consistent.
   */
  private static final class Series {
    private final long[] buckets; // non-cumulative; index bounds.length is the +Inf overflow
    private long count;
    private long sum;

    Series(int bounds) {
      this.buckets = new long[bounds + 1];
    }

    synchronized void observe(int bucket, long value) {
      buckets[bucket]++;
      count++;
      sum += value;
    }

    synchronized Snapshot snapshot() {
      return new Snapshot(Arrays.copyOf(buckets, buckets.length), count, sum);
    }

    record Snapshot(long[] buckets, long count, long sum) {}
  }
}
