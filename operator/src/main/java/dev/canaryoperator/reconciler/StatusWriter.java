package dev.canaryoperator.reconciler;

import dev.canaryoperator.api.CanaryHeaders;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.rollout.Decision;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.rollout.TransitionListener;
import dev.canaryoperator.routing.TrafficProblem;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a decision: the status first (when it changed), then the events and log lines of its
 * transitions, so that none of them ever describes a decision the status does not hold.
 */
final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  private final OperatorMetrics metrics;
  private final List<TransitionListener> listeners;

  StatusWriter(OperatorMetrics metrics, List<TransitionListener> listeners) {
    this.metrics = metrics;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * @param previous the status as it stands before this write
   * @param vsGeneration the VirtualService's generation the decision was made on
   * @return the status as it stands after this write
   */
  CanaryReleaseStatus record(
      CanaryRelease release,
      Context<CanaryRelease> context,
      Decision decision,
      CanaryReleaseStatus previous,
      TrafficProblem problem,
      long vsGeneration,
      Instant now) {
    CanaryReleaseStatus next =
        StatusMapper.toStatus(
            decision.state(),
            decision.weights(),
            previous,
            decision.transitions(),
            problem,
            release.getMetadata().getGeneration(),
            now);
    next.setVirtualServiceGeneration(vsGeneration);
    CanaryHeaders headers = release.getSpec().getCanaryHeaders();
    next.setCanaryHeaders(
        headers == null || headers.getSet().isEmpty() ? null : new HashMap<>(headers.getSet()));
    if (sameStatus(context.getClient().getKubernetesSerialization(), previous, next)) {
      next = previous;
    } else {
      CanaryRelease fresh = new CanaryRelease();
      fresh.setMetadata(
          new ObjectMetaBuilder()
              .withName(release.getMetadata().getName())
              .withNamespace(release.getMetadata().getNamespace())
              .build());
      fresh.setStatus(next);
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(release, fresh, context);
    }
    ReleaseEvents events = new ReleaseEvents(context.getClient());
    for (Transition t : decision.transitions()) {
      events.record(release, t.reason(), t.message(), t.warning());
      log.info(
          "{}/{}: {} - {}",
          release.getMetadata().getNamespace(),
          release.getMetadata().getName(),
          t.reason(),
          t.message());
      metrics.transitioned(t.reason());
      for (TransitionListener listener : listeners) {
        try {
          listener.transitioned(release, t, next);
        } catch (RuntimeException e) {
          log.warn("a transition listener failed on {}: {}", t.reason(), e.toString());
        }
      }
    }
    metrics.observe(release, next);
    return next;
  }

  /**
   * Equal but for the VirtualService generation: that alone is no news, and a status that keeps an
   * older generation still tells an interrupted write (VirtualService unchanged since) from a
   * foreign change (it moved on).
   */
  private static boolean sameStatus(
      KubernetesSerialization json, CanaryReleaseStatus a, CanaryReleaseStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    Map<?, ?> left = new HashMap<>(json.convertValue(a, Map.class));
    Map<?, ?> right = new HashMap<>(json.convertValue(b, Map.class));
    left.remove("virtualServiceGeneration");
    right.remove("virtualServiceGeneration");
    return left.equals(right);
  }
}
