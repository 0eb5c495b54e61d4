package dev.canaryoperator.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format, so tests check what a scraper would see. */
record PrometheusText(Map<String, String> types, List<Sample> samples) {

  record Sample(String name, Map<String, String> labels, String value) {
    double number() {
      return Double.parseDouble(value);
    }
  }

  private static final Pattern TYPE =
      Pattern.compile(
          "# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)\\} (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");

  static PrometheusText parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      Matcher t = TYPE.matcher(line);
      if (t.matches()) {
        if (types.put(t.group(1), t.group(2)) != null) {
          throw new IllegalArgumentException("second TYPE line for " + t.group(1));
        }
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (!s.matches()) {
        throw new IllegalArgumentException("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher l = LABEL.matcher(s.group(2));
      int end = 0;
      while (l.find() && l.start() == end) {
        if (labels.put(l.group(1), l.group(2)) != null) {
          throw new IllegalArgumentException("duplicate label " + l.group(1) + " in " + line);
        }
        end = l.end();
      }
      if (end != s.group(2).length()) {
        throw new IllegalArgumentException("bad labels in " + line);
      }
      Double.parseDouble(s.group(3).replace("+Inf", "Infinity"));
      samples.add(new Sample(s.group(1), labels, s.group(3)));
    }
    return new PrometheusText(types, samples);
  }

  List<Sample> named(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  List<Sample> named(String name, Predicate<Map<String, String>> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels())).toList();
  }

  static Predicate<Map<String, String>> with(String... keyValues) {
    return labels -> {
      for (int i = 0; i < keyValues.length; i += 2) {
        if (!keyValues[i + 1].equals(labels.get(keyValues[i]))) {
          return false;
        }
      }
      return true;
    };
  }

  double sum(String name, Predicate<Map<String, String>> labels) {
    return named(name, labels).stream().mapToDouble(Sample::number).sum();
  }
}
