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
import dev.canaryoperator.rollout.TrafficProblem;
import dev.canaryoperator.rollout.Transition;
import dev.canaryoperator.traffic.RouteTarget;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin glue: observe (VirtualService, annotations, analysis), ask the state machine, write the
 * VirtualService first and the status second, and come back when the next analysis is due.
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
  private InformerEventSource<GenericKubernetesResource, CanaryRelease> virtualServices;

  public CanaryReleaseReconciler(KubernetesClient client, Analysis analysis, Clock clock, OperatorMetrics metrics) {
    this.clock = clock;
    this.analyses = new AnalysisRunner(analysis, 4);
    this.metrics = metrics;
    this.istioInstalled = client.apiextensions().v1().customResourceDefinitions()
        .withName("virtualservices.networking.istio.io").get() != null;
    if (!istioInstalled) {
      log.error("Istio's VirtualService CRD (virtualservices.networking.istio.io) is not installed: "
          + "CanaryReleases will stay Pending until Istio is installed and the operator restarted");
    }
  }

  @Override
  public List<EventSource<?, CanaryRelease>> prepareEventSources(EventSourceContext<CanaryRelease> context) {
    if (!istioInstalled) {
      return List.of();
    }
    context.getPrimaryCache().addIndexer(VS_INDEX, release -> List.of(vsKey(release.getMetadata().getNamespace(),
        release.getSpec().getVirtualService().getName())));
    var config = InformerEventSourceConfiguration
        .from(new GroupVersionKind("networking.istio.io", "v1", VirtualServiceRouter.KIND), CanaryRelease.class)
        .withName("virtualservices")
        .withSecondaryToPrimaryMapper(vs -> context.getPrimaryCache()
            .byIndex(VS_INDEX, vsKey(vs.getMetadata().getNamespace(), vs.getMetadata().getName())).stream()
            .map(ResourceID::fromResource).collect(Collectors.toSet()))
        .withNamespacesInheritedFromController()
        .build();
    virtualServices = new InformerEventSource<>(config, context);
    return List.of(virtualServices);
  }

  @Override
  public UpdateControl<CanaryRelease> reconcile(CanaryRelease release, Context<CanaryRelease> context) {
    Instant now = clock.instant();
    CanaryReleaseSpec spec = release.getSpec();
    String namespace = release.getMetadata().getNamespace();
    String key = vsKey(namespace, release.getMetadata().getName());
    StepPlan plan = StepPlan.of(spec);
    VirtualServiceRouter router = new VirtualServiceRouter(context.getClient(), this::ownWrite);
    RouteTarget target = new RouteTarget(release.getMetadata().getName(), namespace, spec.getVirtualService().getRoutes(),
        spec.getStable(), spec.getCanary(), spec.getCanaryGroup(), spec.getCanaryHeaders());
    String vsName = spec.getVirtualService().getName();
    Map<String, String> annotations = Objects.requireNonNullElse(release.getMetadata().getAnnotations(), Map.of());

    VirtualServiceRouter.Snapshot virtualService = istioInstalled ? router.read(vsName, target)
        : new VirtualServiceRouter.Snapshot(vsName, null, new TrafficProblem(TrafficProblem.Kind.VirtualServiceNotFound,
            "Istio's VirtualService CRD is not installed in this cluster; install Istio, then restart the operator"));
    TrafficProblem problem = virtualService.problem();
    Observation observation = new Observation(RolloutId.of(spec), annotations.get(CanaryRelease.PROMOTE_ANNOTATION),
        annotations.get(CanaryRelease.RETRY_ANNOTATION), problem, null);
    RolloutState state = StatusMapper.toState(release.getStatus());

    boolean due = RolloutStateMachine.analysisDue(plan, state, observation, now);
    Optional<AnalysisRunner.Completed> completed = analyses.poll(key, observation.rolloutId(),
        due ? new AnalysisTarget(namespace, release.getMetadata().getName(), spec, stableBaseline(plan, state)) : null, now);
    if (completed.isPresent()) {
      observation = observation.withAnalysis(completed.get().result(), completed.get().startedAt());
      metrics.analysis(release, completed.get().result().verdict());
    }

    Decision decision = RolloutStateMachine.decide(plan, state, observation, now);
    boolean driftCorrected = false;
    if (decision.weights() != null) {
      VirtualServiceRouter.Outcome outcome = router.apply(virtualService, target, decision.weights());
      if (outcome.problem() != null) {
        // It vanished between check and write: decide again without moving, nothing was written.
        problem = outcome.problem();
        decision = RolloutStateMachine.decide(plan, state, observation.withTrafficProblem(problem).withAnalysis(null), now);
      } else {
        driftCorrected = outcome.written() && decision.transitions().isEmpty() && state != null
            && Objects.equals(state.rolloutId(), observation.rolloutId());
      }
    }

    CanaryReleaseStatus previous = release.getStatus();
    CanaryReleaseStatus next = StatusMapper.toStatus(decision.state(), decision.weights(), previous, decision.transitions(),
        problem, release.getMetadata().getGeneration(), now);
    ReleaseEvents events = new ReleaseEvents(context.getClient());
    for (Transition t : decision.transitions()) {
      events.record(release, t.reason(), t.message(), t.warning());
      log.info("{}/{}: {} - {}", namespace, release.getMetadata().getName(), t.reason(), t.message());
    }
    if (driftCorrected) {
      events.record(release, "WeightsRestored", "the VirtualService was changed by someone else; the release's split was written again", true);
    }
    metrics.observe(release, next);
    if (!sameStatus(context.getClient().getKubernetesSerialization(), previous, next)) {
      CanaryRelease fresh = new CanaryRelease();
      fresh.setMetadata(new ObjectMetaBuilder().withName(release.getMetadata().getName()).withNamespace(namespace).build());
      fresh.setStatus(next);
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(release, fresh, context);
    }
    completed.ifPresent(c -> analyses.recorded(key, c));
    return reschedule(decision, problem, key);
  }

  /** With the canary at 100% the stable serves nothing: compare with its traffic before the shift. */
  private static Instant stableBaseline(StepPlan plan, RolloutState state) {
    return plan.step(state.step()).weight() == 100 ? state.weightChangedAt() : null;
  }

  private UpdateControl<CanaryRelease> reschedule(Decision decision, TrafficProblem problem, String key) {
    UpdateControl<CanaryRelease> control = UpdateControl.noUpdate();
    if (analyses.running(key)) {
      return control.rescheduleAfter(ANALYSIS_POLL);
    }
    if (problem != null && decision.state().phase() != Phase.Promoted && decision.state().phase() != Phase.RolledBack) {
      return control.rescheduleAfter(PROBLEM_RECHECK);
    }
    Duration wake = decision.wakeUpAfter();
    return wake == null ? control : control.rescheduleAfter(wake.isZero() ? Duration.ofMillis(100) : wake);
  }

  @Override
  public ErrorStatusUpdateControl<CanaryRelease> updateErrorStatus(CanaryRelease release, Context<CanaryRelease> context, Exception e) {
    log.warn("reconciling {}/{} failed: {}", release.getMetadata().getNamespace(), release.getMetadata().getName(), e.toString());
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  private void ownWrite(GenericKubernetesResource previous, GenericKubernetesResource updated) {
    if (virtualServices != null) {
      virtualServices.handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, previous);
    }
  }

  private static boolean sameStatus(KubernetesSerialization json, CanaryReleaseStatus a, CanaryReleaseStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return json.convertValue(a, Map.class).equals(json.convertValue(b, Map.class));
  }

  private static String vsKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    analyses.close();
  }

}
