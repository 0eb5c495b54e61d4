package dev.canaryoperator.testing;

import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every status of one CanaryRelease the API server hands out, in order, through a watch.
 */
public final class StatusRecorder implements AutoCloseable {
  private final List<CanaryReleaseStatus> seen = new CopyOnWriteArrayList<>();
  private final Watch watch;

  public StatusRecorder(KubernetesClient client, String name) {
    watch =
        client
            .resources(CanaryRelease.class)
            .withName(name)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, CanaryRelease release) {
                    if ((action == Action.ADDED || action == Action.MODIFIED)
                        && release.getStatus() != null
                        && release.getStatus().getPhase() != null) {
                      seen.add(release.getStatus());
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  public List<CanaryReleaseStatus> seen() {
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    watch.close();
  }
}
