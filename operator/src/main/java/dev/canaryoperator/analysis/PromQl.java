package dev.canaryoperator.analysis;

import java.util.regex.Pattern;

/**
 * PromQL's lexical rules for text that comes from a CanaryRelease. Values only ever appear inside
 * double-quoted string literals, escaped here, and label names are checked against Prometheus'
 * grammar, so no spec can end a string early and append its own PromQL.
 */
final class PromQl {
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private PromQl() {}

  /**
   * The text to put between double quotes so that Prometheus reads back exactly {@code value}.
   * PromQL strings follow Go's escape rules; a raw newline would end the literal with a parse
   * error, a raw quote would end it and let the rest be read as PromQL.
   */
  static String escape(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 8);
    value
        .codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                  if (c < 0x20 || c == 0x7f) {
                    sb.append(String.format("\\x%02x", c));
                  } else {
                    sb.appendCodePoint(c);
                  }
                }
              }
            });
    return sb.toString();
  }

  static String quote(String value) {
    return '"' + escape(value) + '"';
  }

  /**
   * Label names cannot be quoted in a selector, so they are checked instead. Names starting with
   * "__" are Prometheus' own (__name__ would swap the metric under the query) and refused.
   */
  static String requireLabelName(String name, String where) {
    if (name == null || !LABEL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          where
              + ": '"
              + printable(name)
              + "' is not a Prometheus label name (letters, digits and _, not starting with a digit)");
    }
    if (name.startsWith("__")) {
      throw new IllegalArgumentException(
          where + ": label name '" + name + "' is reserved by Prometheus");
    }
    return name;
  }

  /** For error messages: the offending text on one line. */
  static String printable(String text) {
    return text == null ? "null" : escape(text);
  }
}
