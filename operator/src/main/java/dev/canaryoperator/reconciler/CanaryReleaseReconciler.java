package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisTarget;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.rollout.Decision;
import dev.canaryoperator.rollout.Observation;
import dev.canaryoperator.rollout.RolloutId;
import dev.canaryoperator.rollout.RolloutState;
import dev.canaryoperator.rollout.RolloutStateMachine;
import dev.canaryoperator.rollout.StepPlan;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.routing.RouteTarget;
import dev.canaryoperator.routing.TrafficProblem;
import dev.canaryoperator.routing.TrafficRouter;
import dev.canaryoperator.traffic.VirtualServiceRouter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin glue: observe (VirtualService, annotations, analysis), ask the state machine, record its
 * decision in the status, make the VirtualService match it, and come back when the next analysis is
 * due. Why the status goes first: docs/crash-safety.md.
 */
// Annotations (promote, retry) do not bump the generation, so every event must reach us.
@ControllerConfiguration(name = "canaryrelease", generationAwareEventProcessing = false)
public class CanaryReleaseReconciler implements Reconciler<CanaryRelease>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CanaryReleaseReconciler.class);
  static final String VS_INDEX = "virtualservice";
  private static final Duration ANALYSIS_POLL = Duration.ofSeconds(1);
  private static final Duration PROBLEM_RECHECK = Duration.ofSeconds(30);

  private final Clock clock;
  private final AnalysisRunner analyses;
  private final OperatorMetrics metrics;
  private final boolean istioInstalled;
  private final KubernetesClient client;
  private final TrafficRouter router;
  private InformerEventSource<GenericKubernetesResource, CanaryRelease> virtualServices;

  public CanaryReleaseReconciler(
      KubernetesClient client, Analysis analysis, Clock clock, OperatorMetrics metrics) {
    this.clock = clock;
    this.client = client;
    this.router = new VirtualServiceRouter(client, this::ownWrite);
    this.analyses = new AnalysisRunner(analysis, 4);
    this.metrics = metrics;
    this.istioInstalled =
        client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("virtualservices.networking.istio.io")
                .get()
            != null;
    if (!istioInstalled) {
      log.error(
          "Istio's VirtualService CRD (virtualservices.networking.istio.io) is not installed: "
              + "CanaryReleases will stay Pending until Istio is installed and the operator restarted");
    }
  }

  @Override
  public List<EventSource<?, CanaryRelease>> prepareEventSources(
      EventSourceContext<CanaryRelease> context) {
    if (!istioInstalled) {
      return List.of();
    }
    context
        .getPrimaryCache()
        .addIndexer(
            VS_INDEX,
            release ->
                List.of(
                    vsKey(
                        release.getMetadata().getNamespace(),
                        release.getSpec().getVirtualService().getName())));
    var config =
        InformerEventSourceConfiguration.from(
                new GroupVersionKind("networking.istio.io", "v1", VirtualServiceRouter.KIND),
                CanaryRelease.class)
            .withName("virtualservices")
            .withSecondaryToPrimaryMapper(
                vs ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            VS_INDEX,
                            vsKey(vs.getMetadata().getNamespace(), vs.getMetadata().getName()))
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withNamespacesInheritedFromController()
            .build();
    virtualServices = new InformerEventSource<>(config, context);
    return List.of(virtualServices);
  }

  @Override
  public UpdateControl<CanaryRelease> reconcile(
      CanaryRelease release, Context<CanaryRelease> context) {
    Instant now = clock.instant();
    CanaryReleaseSpec spec = release.getSpec();
    String namespace = release.getMetadata().getNamespace();
    String key = vsKey(namespace, release.getMetadata().getName());
    StepPlan plan = StepPlan.of(spec);
    RouteTarget target =
        new RouteTarget(
            release.getMetadata().getName(),
            namespace,
            spec.getVirtualService().getRoutes(),
            spec.getStable(),
            spec.getCanary(),
            spec.getCanaryGroup(),
            spec.getCanaryHeaders());
    String vsName = spec.getVirtualService().getName();
    Map<String, String> annotations =
        Objects.requireNonNullElse(release.getMetadata().getAnnotations(), Map.of());

    TrafficRouter.Snapshot routing =
        istioInstalled ? router.read(vsName, target) : VirtualServiceRouter.withoutIstio(vsName);
    TrafficProblem problem = routing.problem();
    Observation observation =
        new Observation(
            RolloutId.of(spec),
            annotations.get(CanaryRelease.PROMOTE_ANNOTATION),
            annotations.get(CanaryRelease.RETRY_ANNOTATION),
            problem,
            null);
    RolloutState state = StatusMapper.toState(release.getStatus());

    boolean due = RolloutStateMachine.analysisDue(plan, state, observation, now);
    AnalysisTarget dueTarget =
        due
            ? new AnalysisTarget(
                namespace, release.getMetadata().getName(), spec, stableBaseline(plan, state))
            : null;
    Optional<AnalysisRunner.Completed> completed =
        analyses.poll(key, observation.rolloutId(), dueTarget, now);
    if (completed.isPresent()) {
      observation = observation.withAnalysis(completed.get().result(), completed.get().startedAt());
    }

    // The write order (docs/crash-safety.md): the decision is recorded in status first, then the
    // VirtualService is made to match it. A process killed in between leaves a status from which
    // the next one writes the same split; written the other way round, a restart trusted the older
    // status and put traffic back (a rollback undone, a step moved backwards).
    Decision decision = RolloutStateMachine.decide(plan, state, observation, now);
    CanaryReleaseStatus previous = release.getStatus();
    CanaryReleaseStatus recorded =
        record(release, context, decision, previous, problem, routing.generation(), now);
    completed.ifPresent(
        c -> {
          metrics.analysis(release, c.result().verdict());
          analyses.recorded(key, c);
        });

    if (decision.weights() != null && problem == null) {
      TrafficRouter.Outcome outcome = router.apply(routing, target, decision.weights());
      if (outcome.problem() != null) {
        // It vanished between read and write: nothing was written; record why, moving nothing.
        problem = outcome.problem();
        decision =
            RolloutStateMachine.decide(
                plan,
                decision.state(),
                observation.withTrafficProblem(problem).withAnalysis(null),
                now);
        record(release, context, decision, recorded, problem, routing.generation(), now);
      } else if (outcome.written() && decision.transitions().isEmpty()) {
        reportRewrite(release, decision, previous, routing);
      }
    }
    return reschedule(decision, problem, key);
  }

  /**
   * Writes the decision into the status (when it changed), then tells its transitions: an event or
   * log line only ever describes a decision the status already holds.
   */
  private CanaryReleaseStatus record(
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
    var json = context.getClient().getKubernetesSerialization();
    if (sameStatus(json, previous, next)) {
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
    }
    metrics.observe(release, next);
    return next;
  }

  /**
   * The split was written although nothing changed: either the status's own decision had not
   * reached the VirtualService (the operator stopped between the two writes), or someone else
   * changed the VirtualService since.
   */
  private void reportRewrite(
      CanaryRelease release,
      Decision decision,
      CanaryReleaseStatus previous,
      TrafficRouter.Snapshot routing) {
    ReleaseEvents events = new ReleaseEvents(client);
    String name = release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
    if (previous != null
        && Objects.equals(previous.getVirtualServiceGeneration(), routing.generation())) {
      String message =
          "the VirtualService did not carry the split the status had recorded (the operator "
              + "stopped between the two writes): canary at "
              + decision.weights().canary()
              + "% written now";
      events.record(release, "InterruptedWriteCompleted", message, false);
      log.info("{}: InterruptedWriteCompleted - {}", name, message);
    } else {
      String message =
          "the VirtualService was changed by someone else; the release's split was written again";
      events.record(release, "WeightsRestored", message, true);
      log.info("{}: WeightsRestored - {}", name, message);
    }
  }

  /**
   * With the canary at 100% the stable serves nothing: compare with its traffic before the shift.
   */
  private static Instant stableBaseline(StepPlan plan, RolloutState state) {
    return plan.step(state.step()).weight() == 100 ? state.weightChangedAt() : null;
  }

  private UpdateControl<CanaryRelease> reschedule(
      Decision decision, TrafficProblem problem, String key) {
    UpdateControl<CanaryRelease> control = UpdateControl.noUpdate();
    if (analyses.running(key)) {
      return control.rescheduleAfter(ANALYSIS_POLL);
    }
    if (problem != null
        && decision.state().phase() != Phase.Promoted
        && decision.state().phase() != Phase.RolledBack) {
      return control.rescheduleAfter(PROBLEM_RECHECK);
    }
    Duration wake = decision.wakeUpAfter();
    return wake == null
        ? control
        : control.rescheduleAfter(wake.isZero() ? Duration.ofMillis(100) : wake);
  }

  @Override
  public ErrorStatusUpdateControl<CanaryRelease> updateErrorStatus(
      CanaryRelease release, Context<CanaryRelease> context, Exception e) {
    log.warn(
        "reconciling {}/{} failed: {}",
        release.getMetadata().getNamespace(),
        release.getMetadata().getName(),
        e.toString());
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  private void ownWrite(GenericKubernetesResource previous, GenericKubernetesResource updated) {
    if (virtualServices != null) {
      virtualServices.handleRecentResourceUpdate(
          ResourceID.fromResource(updated), updated, previous);
    }
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

  private static String vsKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    analyses.close();
  }
}
