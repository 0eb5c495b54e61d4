package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricTemplateTest {
  private static final Map<String, String> VALUES =
      Map.of(
          "namespace",
          "bookinfo",
          "target",
          "reviews-canary",
          "subset",
          "v2",
          "stable",
          "reviews-stable",
          "canary",
          "reviews-canary");

  @Test
  void fillsEveryVariable() {
    String query =
        MetricTemplate.render(
            "x{ns=\"{{namespace}}\",t=\"{{ target }}\",v=\"{{subset}}\",s=\"{{stable}}\","
                + "c=\"{{canary}}\"}[{{window}}]",
            VALUES,
            "1m30s");

    assertThat(query)
        .isEqualTo(
            "x{ns=\"bookinfo\",t=\"reviews-canary\",v=\"v2\",s=\"reviews-stable\","
                + "c=\"reviews-canary\"}[1m30s]");
  }

  @Test
  void escapesSubstitutedValuesForDoubleQuotedStrings() {
    String query =
        MetricTemplate.render(
            "x{t=\"{{target}}\"}", Map.of("target", "a\"} or vector(1) #\\\n"), "5m");

    assertThat(query).isEqualTo("x{t=\"a\\\"} or vector(1) #\\\\\\n\"}");
    assertThat(PromQlSelectorReader.read(query.substring(2, query.length() - 1)))
        .containsExactly(Map.entry("t", "a\"} or vector(1) #\\\n"));
  }

  @Test
  void aValueThatLooksLikeAVariableIsNotExpandedAgain() {
    String query =
        MetricTemplate.render(
            "x{t=\"{{target}}\",n=\"{{namespace}}\"}",
            Map.of("target", "{{namespace}}", "namespace", "bookinfo"),
            "5m");

    assertThat(query).isEqualTo("x{t=\"{{namespace}}\",n=\"bookinfo\"}");
  }

  @Test
  void refusesUnknownVariables() {
    assertThatThrownBy(() -> MetricTemplate.render("x{t=\"{{service}}\"}", VALUES, "5m"))
        .hasMessage(
            "unknown variable {{service}} (known: namespace, window, target, subset, stable, canary)");
  }

  @Test
  void refusesMalformedVariables() {
    assertThatThrownBy(() -> MetricTemplate.render("x{t=\"{{target}\"}", VALUES, "5m"))
        .hasMessage("malformed variable: write variables as {{name}}");
  }

  @Test
  void refusesAnEmptyQuery() {
    assertThatThrownBy(() -> MetricTemplate.render(" ", VALUES, "5m"))
        .hasMessage("the query is empty");
  }
}
