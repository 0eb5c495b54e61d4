package dev.canaryoperator.simulator;

import io.fabric8.istio.api.api.networking.v1alpha3.StringMatch;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchExact;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchPrefix;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatchRegex;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Istio's {@code StringMatch}: exact, prefix, regex (RE2 full match), or mere presence when empty.
 */
public sealed interface StringMatcher {

  /** {@code value} is null when the header (or other attribute) is absent. */
  boolean matches(String value);

  record Exact(String expected, boolean ignoreCase) implements StringMatcher {
    public boolean matches(String value) {
      return value != null
          && (ignoreCase ? expected.equalsIgnoreCase(value) : expected.equals(value));
    }
  }

  record Prefix(String prefix, boolean ignoreCase) implements StringMatcher {
    public boolean matches(String value) {
      return value != null
          && (ignoreCase
              ? value.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))
              : value.startsWith(prefix));
    }
  }

  record Regex(Pattern pattern) implements StringMatcher {
    public boolean matches(String value) {
      // Envoy's safe_regex is a full match, as Matcher.matches() is.
      return value != null && pattern.matcher(value).matches();
    }
  }

  /** {@code headers: {x-canary: {}}}: the header only has to be present. */
  record Present() implements StringMatcher {
    public boolean matches(String value) {
      return value != null;
    }
  }

  /** A regex that does not compile; Istio would reject the object, so nothing matches it. */
  record Invalid(String reason) implements StringMatcher {
    public boolean matches(String value) {
      return false;
    }
  }

  static StringMatcher from(StringMatch match, boolean ignoreCase) {
    if (match == null || match.getMatchType() == null) {
      return new Present();
    }
    var type = match.getMatchType();
    if (type instanceof StringMatchExact exact) {
      return new Exact(exact.getExact() == null ? "" : exact.getExact(), ignoreCase);
    }
    if (type instanceof StringMatchPrefix prefix) {
      return new Prefix(prefix.getPrefix() == null ? "" : prefix.getPrefix(), ignoreCase);
    }
    if (type instanceof StringMatchRegex regex) {
      try {
        int flags = ignoreCase ? Pattern.CASE_INSENSITIVE : 0;
        return new Regex(Pattern.compile(regex.getRegex() == null ? "" : regex.getRegex(), flags));
      } catch (PatternSyntaxException e) {
        return new Invalid("invalid regex: " + e.getDescription());
      }
    }
    return new Invalid("unknown match type " + type.getClass().getSimpleName());
  }
}
