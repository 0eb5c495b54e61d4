package dev.canaryoperator.e2e;

import dev.canaryoperator.simulator.HttpRouteRule;
import dev.canaryoperator.simulator.MeshSimulator;
import dev.canaryoperator.simulator.TrafficStats;
import dev.canaryoperator.simulator.WeightedDestination;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cuts the simulator's traffic into segments of constant canary weight, as the simulator applied it
 * (not as the status says), and counts what each segment sent where: the /stats deltas between two
 * weight changes. Sampled every 100 ms, so a segment's edges are off by at most that.
 */
final class SplitRecorder implements AutoCloseable {

  /** Traffic sent while the simulator's route table gave the canary {@code weight} percent. */
  record Segment(int weight, long sent, long canary) {
    double canaryShare() {
      return sent == 0 ? Double.NaN : (double) canary / sent;
    }
  }

  private final MeshSimulator simulator;
  private final String canaryHost;
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "split-recorder");
            t.setDaemon(true);
            return t;
          });
  private final List<Segment> segments = new ArrayList<>();
  private int weight;
  private TrafficStats.Snapshot start;

  private SplitRecorder(MeshSimulator simulator, String canaryHost) {
    this.simulator = simulator;
    this.canaryHost = canaryHost;
    this.weight = canaryWeight();
    this.start = simulator.stats();
  }

  static SplitRecorder start(MeshSimulator simulator, String canaryHost) {
    SplitRecorder recorder = new SplitRecorder(simulator, canaryHost);
    recorder.sampler.scheduleAtFixedRate(recorder::sample, 100, 100, TimeUnit.MILLISECONDS);
    return recorder;
  }

  private synchronized void sample() {
    int now = canaryWeight();
    if (now != weight) {
      TrafficStats.Snapshot end = simulator.stats();
      segments.add(segment(weight, start, end));
      weight = now;
      start = end;
    }
  }

  private int canaryWeight() {
    return simulator.routeTable().routes().stream()
        .filter(r -> "primary".equals(r.name()))
        .findFirst()
        .map(HttpRouteRule::destinations)
        .orElse(List.of())
        .stream()
        .filter(d -> d.destination().host().name().equals(canaryHost))
        .mapToInt(WeightedDestination::weight)
        .sum();
  }

  private static Segment segment(int weight, TrafficStats.Snapshot from, TrafficStats.Snapshot to) {
    return new Segment(
        weight, to.sent() - from.sent(), to.requests(Mesh.CANARY) - from.requests(Mesh.CANARY));
  }

  /** Every closed segment and the one still open, in order. */
  synchronized List<Segment> segments() {
    List<Segment> all = new ArrayList<>(segments);
    all.add(segment(weight, start, simulator.stats()));
    return all;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
