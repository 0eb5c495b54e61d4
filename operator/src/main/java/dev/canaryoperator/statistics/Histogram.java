package dev.canaryoperator.statistics;

import java.util.Arrays;

/**
 * A Prometheus-style histogram of one side's latencies: cumulative counts at increasing upper
 * bounds (the last one +Inf), and the exact sum of the observations.
 *
 * <p>Inside a bucket nothing is known but the count, so, as Prometheus' histogram_quantile does,
 * observations are taken as spread evenly between the bucket's bounds. The first bucket starts at 0
 * (latencies are not negative); the +Inf bucket is taken to reach twice the last finite bound,
 * which matters only for a side whose requests overflow the histogram.
 */
public record Histogram(double[] upperBounds, double[] cumulativeCounts, double sum) {

  public Histogram {
    if (upperBounds.length == 0 || upperBounds.length != cumulativeCounts.length) {
      throw new IllegalArgumentException("a histogram needs as many counts as bucket bounds");
    }
    if (upperBounds[upperBounds.length - 1] != Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("the last bucket must be +Inf");
    }
    upperBounds = upperBounds.clone();
    cumulativeCounts = cumulativeCounts.clone();
    for (int i = 0; i < upperBounds.length; i++) {
      if (i > 0 && !(upperBounds[i] > upperBounds[i - 1])) {
        throw new IllegalArgumentException("bucket bounds must increase: " + upperBounds[i]);
      }
      // cumulative counts read from independent counters can dip by a scrape's worth; keep them
      // monotone so that no bucket has a negative count
      double previous = i == 0 ? 0 : cumulativeCounts[i - 1];
      cumulativeCounts[i] = Math.max(previous, Math.max(0, cumulativeCounts[i]));
    }
  }

  public double count() {
    return cumulativeCounts[cumulativeCounts.length - 1];
  }

  public double mean() {
    return count() > 0 ? sum / count() : Double.NaN;
  }

  /**
   * The variance of one observation: every bucket contributes its spread around the exact mean as
   * if its observations were uniform between its bounds (the bucket's midpoint's distance from the
   * mean, plus width^2/12 within it).
   */
  public double variance() {
    double n = count();
    if (!(n > 0)) {
      return Double.NaN;
    }
    double mean = mean();
    double total = 0;
    for (int i = 0; i < upperBounds.length; i++) {
      double c = bucketCount(i);
      if (c > 0) {
        double lo = lower(i);
        double hi = upper(i);
        double mid = (lo + hi) / 2;
        double width = hi - lo;
        total += c * ((mid - mean) * (mid - mean) + width * width / 12);
      }
    }
    return total / n;
  }

  /** The q-quantile as histogram_quantile computes it (the +Inf bucket answers its lower bound). */
  public double quantile(double q) {
    double n = count();
    if (!(n > 0) || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double rank = q * n;
    for (int i = 0; i < upperBounds.length; i++) {
      if (cumulativeCounts[i] >= rank) {
        if (i == upperBounds.length - 1) {
          return lower(i);
        }
        double below = i == 0 ? 0 : cumulativeCounts[i - 1];
        double c = cumulativeCounts[i] - below;
        double lo = lower(i);
        return c <= 0 ? lo : lo + (upperBounds[i] - lo) * (rank - below) / c;
      }
    }
    return lower(upperBounds.length - 1);
  }

  /** How many observations were above {@code limit}, spreading each bucket evenly. */
  public double countAbove(double limit) {
    double above = 0;
    for (int i = 0; i < upperBounds.length; i++) {
      double c = bucketCount(i);
      double lo = lower(i);
      double hi = upper(i);
      if (c <= 0 || hi <= limit) {
        continue;
      }
      above += limit <= lo ? c : c * (hi - limit) / (hi - lo);
    }
    return Math.min(above, count());
  }

  private double bucketCount(int i) {
    return cumulativeCounts[i] - (i == 0 ? 0 : cumulativeCounts[i - 1]);
  }

  private double lower(int i) {
    return i == 0 ? Math.min(0, upperBounds[0]) : upperBounds[i - 1];
  }

  private double upper(int i) {
    if (upperBounds[i] != Double.POSITIVE_INFINITY) {
      return upperBounds[i];
    }
    double last = i == 0 ? 1 : upperBounds[i - 1];
    return last > 0 ? 2 * last : last + 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram h
        && Arrays.equals(upperBounds, h.upperBounds)
        && Arrays.equals(cumulativeCounts, h.cumulativeCounts)
        && Double.compare(sum, h.sum) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(cumulativeCounts))
        + Double.hashCode(sum);
  }

  @Override
  public String toString() {
    return "Histogram" + Arrays.toString(upperBounds) + Arrays.toString(cumulativeCounts) + sum;
  }
}
