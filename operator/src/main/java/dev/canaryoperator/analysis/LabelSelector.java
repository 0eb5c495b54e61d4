package dev.canaryoperator.analysis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Equality matchers that select one side's series, e.g. {@code {reporter="destination",
 * destination_service_name="reviews"}}. Names are validated and values escaped on construction and
 * rendering, so a selector built from any spec renders to a well-formed, injection-free matcher
 * list.
 */
record LabelSelector(Map<String, String> matchers) {

  LabelSelector {
    Map<String, String> copy = new LinkedHashMap<>();
    matchers.forEach(
        (name, value) -> {
          PromQl.requireLabelName(name, "label selector");
          if (value == null) {
            throw new IllegalArgumentException("label selector: label '" + name + "' has no value");
          }
          copy.put(name, value);
        });
    matchers = Collections.unmodifiableMap(copy);
  }

  /** This selector plus one more matcher, which wins over an existing one with the same name. */
  LabelSelector with(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(matchers);
    more.put(name, value);
    return new LabelSelector(more);
  }

  /** The matcher list without braces, to combine with further matchers inside one {...}. */
  String render() {
    return matchers.entrySet().stream()
        .map(e -> e.getKey() + "=" + PromQl.quote(e.getValue()))
        .collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return "{" + render() + "}";
  }
}
