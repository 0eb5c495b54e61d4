package dev.canaryoperator.reconciler;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes events on a CanaryRelease, so `kubectl describe crel` tells the story. */
final class ReleaseEvents {
  private static final Logger log = LoggerFactory.getLogger(ReleaseEvents.class);
  static final String COMPONENT = "canary-operator";

  private final KubernetesClient client;

  ReleaseEvents(KubernetesClient client) {
    this.client = client;
  }

  void record(CanaryRelease release, String reason, String message, boolean warning) {
    String now = Instant.now().toString();
    var meta = release.getMetadata();
    try {
      client
          .v1()
          .events()
          .inNamespace(meta.getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withNamespace(meta.getNamespace())
                  .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(release.getApiVersion())
                          .withKind(release.getKind())
                          .withName(meta.getName())
                          .withNamespace(meta.getNamespace())
                          .withUid(meta.getUid())
                          .withResourceVersion(meta.getResourceVersion())
                          .build())
                  .withReason(reason)
                  .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                  .withType(warning ? "Warning" : "Normal")
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; losing one must not stop the rollout.
      log.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          meta.getNamespace(),
          meta.getName(),
          e.getMessage());
    }
  }
}
