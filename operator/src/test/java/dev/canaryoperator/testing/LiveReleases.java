package dev.canaryoperator.testing;

import static org.awaitility.Awaitility.await;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Predicate;

/** CanaryReleases as the API server has them, and waiting for a status the operator writes. */
public final class LiveReleases {
  /** Longer than any rollout the ITs drive. */
  public static final Duration ROLLOUT = Duration.ofSeconds(90);

  private LiveReleases() {}

  public static CanaryRelease get(KubernetesClient client, String name) {
    return client.resources(CanaryRelease.class).withName(name).get();
  }

  /** Waits until the release has a status with a phase that satisfies the condition. */
  public static CanaryRelease awaitStatus(
      KubernetesClient client, String name, Predicate<CanaryRelease> condition) {
    await()
        .atMost(ROLLOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              CanaryRelease r = get(client, name);
              return r != null
                  && r.getStatus() != null
                  && r.getStatus().getPhase() != null
                  && condition.test(r);
            });
    return get(client, name);
  }
}
