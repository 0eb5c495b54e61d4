package dev.canaryoperator.simulator;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPMatchRequest;
import io.fabric8.istio.api.api.networking.v1alpha3.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One element of an http route's {@code match} list; all its conditions must hold.
 *
 * <p>Understood: {@code headers}, {@code withoutHeaders}, {@code uri} (with {@code ignoreUriCase}),
 * {@code method}, and {@code gateways} as far as "mesh" goes. Any other condition (authority, port,
 * queryParams, sourceLabels, ...) cannot be judged for generated traffic, so a block that uses one
 * never matches, and {@link #unsupported()} says why: silently ignoring it would route traffic
 * where Istio would not.
 */
public record RequestMatch(
    Map<String, StringMatcher> headers,
    Map<String, StringMatcher> withoutHeaders,
    StringMatcher uri,
    StringMatcher method,
    List<String> unsupported) {

  public static final RequestMatch ANY =
      new RequestMatch(Map.of(), Map.of(), null, null, List.of());

  public RequestMatch {
    headers = Map.copyOf(headers);
    withoutHeaders = Map.copyOf(withoutHeaders);
    unsupported = List.copyOf(unsupported);
  }

  public boolean matches(SimulatedRequest request) {
    if (!unsupported.isEmpty()) {
      return false;
    }
    for (var e : headers.entrySet()) {
      if (!e.getValue().matches(request.header(e.getKey()))) {
        return false;
      }
    }
    for (var e : withoutHeaders.entrySet()) {
      if (e.getValue().matches(request.header(e.getKey()))) {
        return false;
      }
    }
    return (uri == null || uri.matches(request.path()))
        && (method == null || method.matches(request.method()));
  }

  static RequestMatch from(HTTPMatchRequest m) {
    List<String> unsupported = new ArrayList<>();
    if (m.getAuthority() != null) unsupported.add("authority");
    if (m.getPort() != null) unsupported.add("port");
    if (m.getScheme() != null) unsupported.add("scheme");
    if (notEmpty(m.getQueryParams())) unsupported.add("queryParams");
    if (notEmpty(m.getSourceLabels())) unsupported.add("sourceLabels");
    if (m.getSourceNamespace() != null) unsupported.add("sourceNamespace");
    if (m.getGateways() != null
        && !m.getGateways().isEmpty()
        && !m.getGateways().contains("mesh")) {
      // our traffic is sidecar-to-sidecar, i.e. the "mesh" gateway
      unsupported.add("gateways without mesh");
    }
    boolean ignoreUriCase = Boolean.TRUE.equals(m.getIgnoreUriCase());
    return new RequestMatch(
        matchers(m.getHeaders()),
        matchers(m.getWithoutHeaders()),
        m.getUri() == null ? null : StringMatcher.from(m.getUri(), ignoreUriCase),
        m.getMethod() == null ? null : StringMatcher.from(m.getMethod(), false),
        unsupported);
  }

  private static Map<String, StringMatcher> matchers(Map<String, StringMatch> in) {
    Map<String, StringMatcher> out = new LinkedHashMap<>();
    if (in != null) {
      in.forEach(
          (name, match) ->
              out.put(name.toLowerCase(Locale.ROOT), StringMatcher.from(match, false)));
    }
    return out;
  }

  private static boolean notEmpty(Map<?, ?> map) {
    return map != null && !map.isEmpty();
  }
}
