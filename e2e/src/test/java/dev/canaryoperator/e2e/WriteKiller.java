package dev.canaryoperator.e2e;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the operator process with SIGKILL the moment one of its writes shows up in a watch, as an
 * OOM kill or a node loss would at the worst time, and starts it again. It fires once for every new
 * canary weight a VirtualService version carries, and once for every new (phase, weight) a status
 * records, so both sides of the operator's write pair are cut: a status written whose
 * VirtualService write may not have been sent, and a VirtualService written whose reconcile never
 * finished.
 *
 * <p>It also records every canary weight the VirtualService carried, in order, from the same watch.
 */
final class WriteKiller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteKiller.class);

  /** One kill: what it was triggered by. */
  record Kill(String trigger, long pid) {}

  private final OperatorProcess operator;
  private final ToIntFunction<VirtualService> canaryWeight;
  private final ExecutorService killer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "write-killer");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> fired = ConcurrentHashMap.newKeySet();
  private final List<Kill> kills = new CopyOnWriteArrayList<>();
  private final List<Integer> weights = new CopyOnWriteArrayList<>();
  private final List<Throwable> restartFailures = new CopyOnWriteArrayList<>();
  private final Watch vsWatch;
  private final Watch releaseWatch;
  private volatile boolean armed = true;

  WriteKiller(
      KubernetesClient client,
      Mesh mesh,
      String release,
      ToIntFunction<VirtualService> canaryWeight) {
    this.operator = mesh.operator();
    this.canaryWeight = canaryWeight;
    weights.add(canaryWeight.applyAsInt(mesh.virtualService()));
    vsWatch =
        client
            .adapt(IstioClient.class)
            .v1()
            .virtualServices()
            .inNamespace(mesh.namespace())
            .withName(Mesh.VIRTUAL_SERVICE)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, VirtualService vs) {
                    if (action == Action.MODIFIED) {
                      int weight = WriteKiller.this.canaryWeight.applyAsInt(vs);
                      if (weight != weights.get(weights.size() - 1)) {
                        weights.add(weight);
                        fire("VirtualService canary weight " + weight);
                      }
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    releaseWatch =
        client
            .resources(CanaryRelease.class)
            .inNamespace(mesh.namespace())
            .withName(release)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, CanaryRelease r) {
                    CanaryReleaseStatus s = r.getStatus();
                    if (s != null && s.getPhase() != null && s.getCanaryWeight() != null) {
                      fire("status " + s.getPhase() + " canary weight " + s.getCanaryWeight());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  private void fire(String trigger) {
    if (!armed || !fired.add(trigger)) {
      return;
    }
    killer.execute(
        () -> {
          try {
            if (!operator.running()) {
              return;
            }
            long pid = operator.pid();
            operator.kill();
            kills.add(new Kill(trigger, pid));
            log.info("killed the operator (pid {}) on {}", pid, trigger);
            operator.start();
          } catch (Exception | Error e) {
            restartFailures.add(e);
          }
        });
  }

  /** No more kills; waits for a restart under way. */
  void disarm() throws InterruptedException {
    armed = false;
    killer.shutdown();
    killer.awaitTermination(2, TimeUnit.MINUTES);
    if (!restartFailures.isEmpty()) {
      throw new AssertionError("restarting the operator failed", restartFailures.get(0));
    }
  }

  List<Kill> kills() {
    return List.copyOf(kills);
  }

  /** Every canary weight the VirtualService carried, in order, without repeats. */
  List<Integer> weights() {
    return List.copyOf(weights);
  }

  @Override
  public void close() {
    armed = false;
    vsWatch.close();
    releaseWatch.close();
    killer.shutdownNow();
  }
}
