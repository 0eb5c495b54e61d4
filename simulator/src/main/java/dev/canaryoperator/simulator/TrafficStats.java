package dev.canaryoperator.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the load generator did, as the client saw it: per backend how many requests were sent there
 * and how many failed (5xx or no answer), per route how many it matched, and what could not be
 * routed. Tests compare these counts with the VirtualService weights. Unlike the Istio metrics,
 * these can be reset, because a test wants to measure one phase, not the process lifetime.
 *
 * <p>Requests count when sent, not when answered: a request routed before a VirtualService change
 * but answered after a reset would otherwise be charged to the new weights.
 */
public final class TrafficStats {

  private final LongAdder generated = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final Map<String, Counts> backends = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> routes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> unrouted = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> unknownDestinations = new ConcurrentHashMap<>();

  void generated() {
    generated.increment();
  }

  /** Not sent because too many requests were already in flight: the backends cannot keep up. */
  void dropped() {
    dropped.increment();
  }

  void routed(String route) {
    routes.computeIfAbsent(route, r -> new LongAdder()).increment();
  }

  void unrouted(String reason) {
    unrouted.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /**
   * The VirtualService names a destination no backend plays; Envoy would answer 503 (no healthy
   * upstream).
   */
  void unknownDestination(Destination destination) {
    unknownDestinations.computeIfAbsent(destination.toString(), r -> new LongAdder()).increment();
  }

  void sent(String backend, boolean canaryGroup) {
    Counts c = backends.computeIfAbsent(backend, b -> new Counts());
    c.requests.increment();
    if (canaryGroup) {
      c.canaryGroup.increment();
    }
  }

  /** {@code status} is 0 when no response arrived. */
  void answered(String backend, int status) {
    Counts c = backends.computeIfAbsent(backend, b -> new Counts());
    c.responses.increment();
    if (status == 0 || status >= 500) {
      c.errors.increment();
    }
  }

  public void reset() {
    generated.reset();
    dropped.reset();
    backends.clear();
    routes.clear();
    unrouted.clear();
    unknownDestinations.clear();
  }

  public Snapshot snapshot() {
    Map<String, BackendCounts> b = new TreeMap<>();
    backends.forEach(
        (k, v) ->
            b.put(
                k,
                new BackendCounts(
                    v.requests.sum(), v.responses.sum(), v.errors.sum(), v.canaryGroup.sum())));
    return new Snapshot(
        generated.sum(), dropped.sum(), b, sums(routes), sums(unrouted), sums(unknownDestinations));
  }

  private static Map<String, Long> sums(Map<String, LongAdder> in) {
    Map<String, Long> out = new TreeMap<>();
    in.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static final class Counts {
    final LongAdder requests = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder canaryGroup = new LongAdder();
  }

  /**
   * @param requests sent to this backend
   * @param responses received (or failed) so far
   * @param errors responses with a 5xx status, and requests that got no response
   * @param canaryGroupRequests sent requests that carried the canary-group header
   */
  public record BackendCounts(
      long requests, long responses, long errors, long canaryGroupRequests) {}

  /**
   * @param generated requests the load generator produced (routed or not)
   * @param backends counts per backend name
   * @param routes generated requests per matched http route
   */
  public record Snapshot(
      long generated,
      long dropped,
      Map<String, BackendCounts> backends,
      Map<String, Long> routes,
      Map<String, Long> unrouted,
      Map<String, Long> unknownDestinations) {

    /** Requests sent to any backend. */
    public long sent() {
      return backends.values().stream().mapToLong(BackendCounts::requests).sum();
    }

    public long requests(String backend) {
      BackendCounts c = backends.get(backend);
      return c == null ? 0 : c.requests();
    }

    public long errors(String backend) {
      BackendCounts c = backends.get(backend);
      return c == null ? 0 : c.errors();
    }

    /** This backend's fraction of all sent requests; NaN before any was sent. */
    public double share(String backend) {
      long all = sent();
      return all == 0 ? Double.NaN : (double) requests(backend) / all;
    }
  }
}
