package dev.canaryoperator.analysis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a rendered matcher list (name="value",name="value") back the way Prometheus' lexer does: a
 * string ends at the first unescaped quote, a raw newline is an error, escapes follow Go. If a
 * value could break out of its literal, reading back would not give the original map.
 */
final class PromQlSelectorReader {
  private final String text;
  private int pos;

  private PromQlSelectorReader(String text) {
    this.text = text;
  }

  static Map<String, String> read(String matchers) {
    return new PromQlSelectorReader(matchers).matchers();
  }

  private Map<String, String> matchers() {
    Map<String, String> result = new LinkedHashMap<>();
    while (pos < text.length()) {
      int eq = text.indexOf('=', pos);
      if (eq < 0) {
        throw new IllegalArgumentException("no '=' after position " + pos + " in " + text);
      }
      String name = text.substring(pos, eq);
      pos = eq + 1;
      if (result.put(name, string()) != null) {
        throw new IllegalArgumentException("label " + name + " matched twice");
      }
      if (pos < text.length()) {
        if (text.charAt(pos) != ',') {
          throw new IllegalArgumentException(
              "expected ',' at " + pos + " in " + text + " but found '" + text.charAt(pos) + "'");
        }
        pos++;
      }
    }
    return result;
  }

  private String string() {
    if (text.charAt(pos) != '"') {
      throw new IllegalArgumentException("expected '\"' at " + pos + " in " + text);
    }
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw new IllegalArgumentException("unterminated string in " + text);
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\n') {
        throw new IllegalArgumentException("raw newline in a string: " + text);
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '\\' -> sb.append('\\');
        case '"' -> sb.append('"');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case 'x' -> {
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 2), 16));
          pos += 2;
        }
        case 'u' -> {
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + text);
      }
    }
  }
}
