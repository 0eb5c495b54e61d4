package dev.canaryoperator.api;

import java.time.Duration;
import java.util.regex.Matcher;

/** Go-style durations as Kubernetes users write them: "30m", "1h30m", "90s", "500ms". */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  /** Long enough for "720h", short enough for the API server's CEL cost estimate. */
  public static final int MAX_LENGTH = 20;

  /*
   * Bounds the API server checks (CEL's duration() also refuses a value that overflows), so that
   * "99999999999999h" or "0s" never reaches the operator. StepPlan checks the same bounds for
   * objects stored before they existed.
   */
  public static final String CEL_1S_TO_30D =
      "duration(self) >= duration('1s') && duration(self) <= duration('720h')";
  public static final String MESSAGE_1S_TO_30D =
      "must be a duration from 1s to 720h (30 days), for example 30s, 5m or 1h30m";
  public static final String CEL_1S_TO_5M =
      "duration(self) >= duration('1s') && duration(self) <= duration('5m')";
  public static final String MESSAGE_1S_TO_5M = "must be a duration from 1s to 5m, for example 10s";
  public static final Duration ONE_SECOND = Duration.ofSeconds(1);
  public static final Duration THIRTY_DAYS = Duration.ofDays(30);
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses a duration that must lie within [min, max]; the error names the field and the fix.
   *
   * @param field where the value is, e.g. "spec.analysis.interval"
   */
  public static Duration parse(String field, String text, Duration min, Duration max) {
    Duration value;
    try {
      value = parse(text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(
          field + ": '" + text + "' is not a duration (use a form such as 30s, 5m or 1h30m)");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + text
              + "' is out of range: give a duration from "
              + format(min)
              + " to "
              + format(max));
    }
    return value;
  }

  public static Duration parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (use a form such as 30s, 5m or 1h30m)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1)); // NumberFormatException is an IllegalArgumentException
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
    }
    return total;
  }

  /**
   * The shortest Go-style spelling, also valid as a PromQL range ("5m", "1h30m", "90s" becomes
   * "1m30s").
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    int ms = d.toMillisPart();
    if (h > 0) sb.append(h).append('h');
    if (m > 0) sb.append(m).append('m');
    if (s > 0) sb.append(s).append('s');
    if (ms > 0) sb.append(ms).append("ms");
    return sb.toString();
  }
}
