package dev.canaryoperator.e2e;

import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every status of one CanaryRelease as the API server hands them out, through an informer, so that
 * no analysis is missed between two polls: tests reason about the sequence, not just the end.
 */
public final class StatusLog implements AutoCloseable {

  /** A status and when this process saw it. */
  public record Seen(Instant at, CanaryReleaseStatus status) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final SharedIndexInformer<CanaryRelease> informer;

  StatusLog(KubernetesClient client, String namespace, String name) {
    informer =
        client
            .resources(CanaryRelease.class)
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(CanaryRelease release) {
                    record(release);
                  }

                  @Override
                  public void onUpdate(CanaryRelease old, CanaryRelease release) {
                    record(release);
                  }

                  @Override
                  public void onDelete(CanaryRelease release, boolean finalStateUnknown) {}
                },
                0);
  }

  private void record(CanaryRelease release) {
    if (release.getStatus() != null && release.getStatus().getPhase() != null) {
      seen.add(new Seen(Instant.now(), release.getStatus()));
    }
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The latest status, or null before the operator wrote one. */
  public CanaryReleaseStatus latest() {
    List<Seen> all = seen();
    return all.isEmpty() ? null : all.get(all.size() - 1).status();
  }

  /** Each analysis once, in the order the operator recorded them. */
  public List<AnalysisStatus> analyses() {
    List<AnalysisStatus> analyses = new ArrayList<>();
    for (Seen s : seen()) {
      AnalysisStatus a = s.status().getLastAnalysis();
      if (a != null
          && a.getTime() != null
          && (analyses.isEmpty()
              || !Objects.equals(analyses.get(analyses.size() - 1).getTime(), a.getTime()))) {
        analyses.add(a);
      }
    }
    return analyses;
  }

  @Override
  public void close() {
    informer.close();
  }
}
