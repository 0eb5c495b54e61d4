package dev.canaryoperator.analysis;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a custom check's PromQL template. Variables are written {{name}}:
 *
 * <ul>
 *   <li>{{namespace}}, {{target}} (the measured side's Service short name), {{subset}} (its
 *       DestinationRule subset, empty when none), {{stable}} and {{canary}} (the two Services'
 *       short names) are escaped for a PromQL double-quoted string, so they belong inside double
 *       quotes: {@code destination_service_name="{{target}}"}. Outside quotes, or inside single
 *       quotes or backticks, the escaping does not protect the query.
 *   <li>{{window}} is the analysis window, validated as a duration and written in its canonical
 *       form (5m, 1m30s), for use as a range: {@code [{{window}}]}.
 * </ul>
 *
 * An unknown variable is an error rather than left in place, so a typo does not reach Prometheus as
 * a confusing parse error.
 */
final class MetricTemplate {
  static final Set<String> VARIABLES =
      Set.of("namespace", "window", "target", "subset", "stable", "canary");
  private static final Pattern VARIABLE =
      Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\}\\}");

  private MetricTemplate() {}

  /**
   * @param values every variable but window, unescaped
   * @param window the canonical window, already validated
   */
  static String render(String template, Map<String, String> values, String window) {
    if (template == null || template.isBlank()) {
      throw new IllegalArgumentException("the query is empty");
    }
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement;
      if (name.equals("window")) {
        replacement = window;
      } else if (VARIABLES.contains(name)) {
        replacement = PromQl.escape(values.getOrDefault(name, ""));
      } else {
        throw new IllegalArgumentException(
            "unknown variable {{"
                + name
                + "}} (known: namespace, window, target, subset, stable, canary)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    String rendered = out.toString();
    // Checked on the template, not the result: a substituted value may legitimately contain "{{".
    if (VARIABLE.matcher(template).replaceAll("").contains("{{")) {
      throw new IllegalArgumentException("malformed variable: write variables as {{name}}");
    }
    return rendered;
  }
}
