package dev.canaryoperator.analysis;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The built-in measures of many sides in one query each: the same exact counter differences as
 * {@link SideQueries}, summed by the labels that tell destinations apart instead of over one side,
 * for every destination named. Each side then takes its own rows (see {@link SideMeasures}), so a
 * release's numbers are those its own queries would give.
 */
record GroupedQueries(String selector, Duration span) {
  private static final String BY =
      " by ("
          + MeshDestination.NAMESPACE
          + ","
          + MeshDestination.SERVICE
          + ","
          + MeshDestination.VERSION;

  static GroupedQueries of(Collection<MeshDestination> destinations, Duration span) {
    if (destinations.isEmpty()) {
      throw new IllegalArgumentException("no destination to measure");
    }
    String selector =
        "reporter=\"destination\","
            + MeshDestination.NAMESPACE
            + "=~"
            + anyOf(destinations.stream().map(MeshDestination::namespace).toList())
            + ","
            + MeshDestination.SERVICE
            + "=~"
            + anyOf(destinations.stream().map(MeshDestination::service).toList());
    return new GroupedQueries(selector, span);
  }

  String requests() {
    return SideQueries.total(SideQueries.REQUESTS + "{" + selector + "}", BY + ")", span);
  }

  String errors() {
    return SideQueries.total(
        SideQueries.REQUESTS + "{" + selector + ",response_code=~\"5..\"}", BY + ")", span);
  }

  String latencySum() {
    return SideQueries.total(SideQueries.DURATION + "_sum{" + selector + "}", BY + ")", span);
  }

  String latencyBuckets() {
    return SideQueries.total(SideQueries.DURATION + "_bucket{" + selector + "}", BY + ",le)", span);
  }

  /** A regular expression matching exactly these values, as a PromQL string. */
  private static String anyOf(List<String> values) {
    return PromQl.quote(
        new TreeSet<>(values)
            .stream().map(GroupedQueries::literal).collect(Collectors.joining("|")));
  }

  /** The value as an RE2 literal: every character that means something there is escaped. */
  private static String literal(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
