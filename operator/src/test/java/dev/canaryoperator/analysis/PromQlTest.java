package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromQlTest {

  @Test
  void escapesWhatWouldEndOrBreakAStringLiteral() {
    assertThat(PromQl.escape("a\"b")).isEqualTo("a\\\"b");
    assertThat(PromQl.escape("a\\b")).isEqualTo("a\\\\b");
    assertThat(PromQl.escape("a\nb")).isEqualTo("a\\nb");
    assertThat(PromQl.escape("a\rb\tc")).isEqualTo("a\\rb\\tc");
    assertThat(PromQl.escape("nul\u0000 bell\u0007 del\u007f"))
        .isEqualTo("nul\\x00 bell\\x07 del\\x7f");
    assertThat(PromQl.escape("reviews-v2.bookinfo")).isEqualTo("reviews-v2.bookinfo");
    assertThat(PromQl.escape("ünïcödé ✓")).isEqualTo("ünïcödé ✓");
  }

  @Test
  void aBackslashBeforeTheQuoteCannotUnescapeIt() {
    // the attacker's backslash must not pair with the escaping backslash of the quote
    assertThat(PromQl.quote("\\\"} or vector(1) #")).isEqualTo("\"\\\\\\\"} or vector(1) #\"");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"} or vector(1) #",
        "\\\"} or vector(1) #",
        "x\"}) or on() vector(1) or sum(up{a=\"",
        "line\nbreak",
        "trailing backslash\\",
        "{braces} [5m] `backtick` 'single'",
        "\\\\\\\"",
        "\u0000\u001f\u007f",
        ""
      })
  void hostileValuesReadBackUnchanged(String hostile) {
    Map<String, String> matchers = new LinkedHashMap<>();
    matchers.put("destination_service_name", hostile);
    matchers.put("destination_version", "v2");

    String rendered = new LabelSelector(matchers).render();

    assertThat(PromQlSelectorReader.read(rendered)).isEqualTo(matchers);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"app-version", "9lives", "a b", "a\"", "a=\"x\"", "a}", "x{y", "", "ä", "a\n"})
  void refusesWhatIsNotALabelName(String name) {
    assertThatThrownBy(() -> PromQl.requireLabelName(name, "spec.analysis.canarySelector"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.analysis.canarySelector: '")
        .hasMessageContaining("is not a Prometheus label name");
  }

  @Test
  void refusesNoLabelName() {
    assertThatThrownBy(() -> PromQl.requireLabelName(null, "selector"))
        .hasMessage(
            "selector: 'null' is not a Prometheus label name (letters, digits and _, not starting with a digit)");
  }

  @Test
  void refusesReservedLabelNames() {
    assertThatThrownBy(() -> PromQl.requireLabelName("__name__", "spec.analysis.stableSelector"))
        .hasMessage(
            "spec.analysis.stableSelector: label name '__name__' is reserved by Prometheus");
  }

  @ParameterizedTest
  @ValueSource(strings = {"app", "destination_version", "_private", "A1", "le"})
  void acceptsLabelNames(String name) {
    assertThat(PromQl.requireLabelName(name, "selector")).isEqualTo(name);
  }

  @Test
  void aSelectorRefusesABadLabelNameWhateverBuiltIt() {
    assertThatThrownBy(() -> new LabelSelector(Map.of("a\"}", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a Prometheus label name");
  }

  @Test
  void withReplacesAnExistingMatcher() {
    LabelSelector selector =
        new LabelSelector(Map.of("reporter", "destination")).with("reporter", "source");

    assertThat(selector.render()).isEqualTo("reporter=\"source\"");
  }
}
