package dev.canaryoperator.reconciler;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.analysis.AnalysisTarget;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseSpec;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.Verdict;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.rollout.Decision;
import dev.canaryoperator.rollout.GateKind;
import dev.canaryoperator.rollout.GateRequest;
import dev.canaryoperator.rollout.Observation;
import dev.canaryoperator.rollout.Requests;
import dev.canaryoperator.rollout.RolloutId;
import dev.canaryoperator.rollout.RolloutState;
import dev.canaryoperator.rollout.RolloutStateMachine;
import dev.canaryoperator.rollout.StepPlan;
import dev.canaryoperator.rollout.TransitionListener;
import dev.canaryoperator.rollout.WorkloadEffect;
import dev.canaryoperator.routing.RouteTarget;
import dev.canaryoperator.routing.RouteWeights;
import dev.canaryoperator.routing.TrafficProblem;
import dev.canaryoperator.routing.TrafficRouter;
import dev.canaryoperator.traffic.VirtualServiceRouter;
import dev.canaryoperator.workload.Deployments;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
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
 * Thin glue: observe (VirtualService, Deployments, annotations, analysis), ask the state machine,
 * record its decision in the status, make the VirtualService (and under CopyToStable the
 * Deployments) match it, and come back when the next thing is due. Why the status goes first:
 * docs/crash-safety.md. A finalizer (the Cleaner) hands the traffic back on deletion.
 */
// Annotations (the requests) do not bump the generation, so every event must reach us.
@ControllerConfiguration(name = "canaryrelease", generationAwareEventProcessing = false)
public class CanaryReleaseReconciler
    implements Reconciler<CanaryRelease>, Cleaner<CanaryRelease>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CanaryReleaseReconciler.class);
  static final String VS_INDEX = "virtualservice";
  static final String DEPLOYMENT_INDEX = "deployment";

  /**
   * A finished analysis wakes its release at once (an event); this is only the fallback should that
   * event be lost.
   */
  private static final Duration ANALYSIS_FALLBACK = Duration.ofSeconds(15);

  private static final Duration PROBLEM_RECHECK = Duration.ofSeconds(30);

  private final Clock clock;
  private final AnalysisRunner analyses;
  private final GateRunner gates;
  private final OperatorMetrics metrics;
  private final StatusWriter status;
  private final boolean istioInstalled;
  private final KubernetesClient client;
  private final TrafficRouter router;
  private final Deployments deployments;
  private final ReconcileActivity activity = new ReconcileActivity();
  private volatile IndexerResourceCache<CanaryRelease> releases;
  private InformerEventSource<GenericKubernetesResource, CanaryRelease> virtualServices;
  private InformerEventSource<Deployment, CanaryRelease> deploymentSource;
  private final SimpleInboundEventSource<CanaryRelease> analysisResults =
      new SimpleInboundEventSource<>("analysis-results");

  public CanaryReleaseReconciler(
      KubernetesClient client, Analysis analysis, Clock clock, OperatorMetrics metrics) {
    this(client, analysis, clock, metrics, List.of());
  }

  /**
   * @param listeners told about every transition once the status holds it (notifications)
   */
  public CanaryReleaseReconciler(
      KubernetesClient client,
      Analysis analysis,
      Clock clock,
      OperatorMetrics metrics,
      List<TransitionListener> listeners) {
    this.clock = clock;
    this.client = client;
    this.router = new VirtualServiceRouter(client, this::ownWrite, this::cachedVirtualService);
    this.deployments = new Deployments(client, this::cachedDeployment);
    this.analyses = new AnalysisRunner(analysis, 4, this::analysisDone);
    this.gates = new GateRunner(this::analysisDone);
    this.metrics = metrics;
    this.status = new StatusWriter(metrics, listeners);
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
              + "CanaryReleases will stay Pending until Istio is installed and the operator"
              + " restarted");
    }
  }

  /** Reconciles running now, by release ("namespace/name"), for the liveness probe. */
  public Map<String, Instant> reconcilesRunningSince() {
    return activity.runningSince();
  }

  /** Releases still there waiting for a reconcile they asked for, for the liveness probe. */
  public Map<String, Instant> reconcilesDueAt() {
    IndexerResourceCache<CanaryRelease> cache = releases;
    return activity.dueAt(
        key -> {
          int slash = key.indexOf('/');
          return cache == null
              || cache
                  .get(new ResourceID(key.substring(slash + 1), key.substring(0, slash)))
                  .isPresent();
        });
  }

  @Override
  public List<EventSource<?, CanaryRelease>> prepareEventSources(
      EventSourceContext<CanaryRelease> context) {
    releases = context.getPrimaryCache();
    if (!istioInstalled) {
      deploymentSource = new InformerEventSource<>(deploymentsConfig(context), context);
      return List.of(deploymentSource, analysisResults);
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
    deploymentSource = new InformerEventSource<>(deploymentsConfig(context), context);
    return List.of(virtualServices, deploymentSource, analysisResults);
  }

  /**
   * The Deployments spec.finalize names: a change of either (a new canary image, the stable's
   * rollout finishing) wakes the release up at once.
   */
  private static InformerEventSourceConfiguration<Deployment> deploymentsConfig(
      EventSourceContext<CanaryRelease> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            DEPLOYMENT_INDEX,
            release -> {
              var finalize = release.getSpec().getFinalize();
              if (finalize == null) {
                return List.of();
              }
              String namespace = release.getMetadata().getNamespace();
              return java.util.stream.Stream.of(
                      finalize.getStableDeployment(), finalize.getCanaryDeployment())
                  .filter(Objects::nonNull)
                  .map(name -> vsKey(namespace, name))
                  .toList();
            });
    return InformerEventSourceConfiguration.from(Deployment.class, CanaryRelease.class)
        .withName("deployments")
        .withSecondaryToPrimaryMapper(
            d ->
                context
                    .getPrimaryCache()
                    .byIndex(
                        DEPLOYMENT_INDEX,
                        vsKey(d.getMetadata().getNamespace(), d.getMetadata().getName()))
                    .stream()
                    .map(ResourceID::fromResource)
                    .collect(Collectors.toSet()))
        .withNamespacesInheritedFromController()
        .build();
  }

  /** What a gate is told: the release, the step it asks about, and the last analysis. */
  private String gateBody(CanaryRelease release, StepPlan plan, GateRequest gate) {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("gate", gate.kind().webhookName());
    body.put(
        "release",
        Map.of(
            "namespace", release.getMetadata().getNamespace(),
            "name", release.getMetadata().getName()));
    body.put("rollout", gate.rolloutKey());
    body.put("step", gate.step());
    body.put(
        "canaryWeight",
        gate.kind() == GateKind.ConfirmPromotion ? 100 : plan.step(gate.step()).weight());
    CanaryReleaseStatus status = release.getStatus();
    if (status != null && status.getLastAnalysis() != null) {
      body.put("lastAnalysis", status.getLastAnalysis());
    }
    return client.getKubernetesSerialization().asJson(body);
  }

  /** An analysis (or a gate) has its result: the release is reconciled now to record it. */
  private void analysisDone(String releaseKey) {
    int slash = releaseKey.indexOf('/');
    analysisResults.propagateEvent(
        new ResourceID(releaseKey.substring(slash + 1), releaseKey.substring(0, slash)));
  }

  private Optional<GenericKubernetesResource> cachedVirtualService(String namespace, String name) {
    return virtualServices == null
        ? Optional.empty()
        : virtualServices.get(new ResourceID(name, namespace));
  }

  private Optional<Deployment> cachedDeployment(String namespace, String name) {
    return deploymentSource == null
        ? Optional.empty()
        : deploymentSource.get(new ResourceID(name, namespace));
  }

  @Override
  public UpdateControl<CanaryRelease> reconcile(
      CanaryRelease release, Context<CanaryRelease> context) {
    String key = vsKey(release.getMetadata().getNamespace(), release.getMetadata().getName());
    activity.started(key, clock.instant());
    Duration again = null;
    try {
      UpdateControl<CanaryRelease> control = reconcileRelease(release, context);
      again = control.getScheduleDelay().map(Duration::ofMillis).orElse(null);
      return control;
    } finally {
      activity.finished(key, clock.instant(), again);
    }
  }

  /** What reconciling is, on every event and wake-up; {@link #reconcile} only watches it run. */
  private UpdateControl<CanaryRelease> reconcileRelease(
      CanaryRelease release, Context<CanaryRelease> context) {
    Instant now = clock.instant();
    CanaryReleaseSpec spec = release.getSpec();
    String namespace = release.getMetadata().getNamespace();
    String key = vsKey(namespace, release.getMetadata().getName());
    CanaryReleaseStatus previous = release.getStatus();
    RolloutState state = StatusMapper.toState(previous);
    StepPlan plan;
    try {
      plan = StepPlan.of(spec).withAnalysisOffsetFor(key);
    } catch (IllegalArgumentException e) {
      // A spec the operator cannot work with is a status naming the field, not a retry loop.
      Decision refused = RolloutStateMachine.invalidSpec(state, e.getMessage());
      status.record(
          release,
          context,
          refused,
          previous,
          new TrafficProblem(TrafficProblem.Kind.InvalidSpec, e.getMessage()),
          previousGeneration(previous),
          now);
      return UpdateControl.noUpdate();
    }
    Deployments.Pair workloads =
        plan.finalization() == null ? null : deployments.read(namespace, plan.finalization());
    RouteTarget target = routeTarget(release, previous);
    String vsName = spec.getVirtualService().getName();

    TrafficRouter.Snapshot routing =
        istioInstalled ? router.read(vsName, target) : VirtualServiceRouter.withoutIstio(vsName);
    TrafficProblem problem = routing.problem();
    String canaryRevision =
        workloads == null ? null : workloads.canaryRevision(client.getKubernetesSerialization());
    Observation observation =
        new Observation(
            RolloutId.of(spec, canaryRevision),
            Requests.from(
                Objects.requireNonNullElse(release.getMetadata().getAnnotations(), Map.of())),
            problem,
            outsideEdit(previous, routing),
            null,
            null,
            workloads == null ? null : workloads.readiness(),
            null);

    boolean due = RolloutStateMachine.analysisDue(plan, state, observation, now);
    AnalysisTarget dueTarget =
        due
            ? new AnalysisTarget(
                namespace,
                release.getMetadata().getName(),
                spec,
                stableBaseline(plan, state),
                RolloutStateMachine.evidenceSince(plan, state))
            : null;
    Optional<AnalysisRunner.Completed> completed =
        analyses.poll(key, observation.rolloutId(), dueTarget, now);
    if (completed.isPresent()) {
      observation = observation.withAnalysis(completed.get().result(), completed.get().startedAt());
    }

    Optional<GateRequest> gate =
        RolloutStateMachine.pendingGate(plan, state, observation.rolloutId(), now);
    if (gate.isPresent()) {
      observation =
          observation.withGate(
              gates.poll(
                  key,
                  gate.get(),
                  gate.get().kind().in(spec.getGates()),
                  gateBody(release, plan, gate.get()),
                  now));
    }

    // The write order (docs/crash-safety.md): the decision is recorded in status first, then the
    // VirtualService is made to match it. A process killed in between leaves a status from which
    // the next one writes the same split; written the other way round, a restart trusted the
    // older status and put traffic back (a rollback undone, a step moved backwards).
    Decision decision = RolloutStateMachine.decide(plan, state, observation, now);
    CanaryReleaseStatus recorded =
        status.record(release, context, decision, previous, problem, routing.generation(), now);
    // A verdict is forgotten only once the status holds its effect.
    completed.ifPresent(
        c -> {
          metrics.analysis(release, c.result().verdict());
          metrics.analysisTook(c.took());
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
        status.record(release, context, decision, recorded, problem, routing.generation(), now);
      } else if (outcome.written()) {
        String reason = VirtualServiceWrites.reason(decision.transitions());
        metrics.virtualServiceWritten(reason);
        if (decision.transitions().isEmpty()) {
          reportRewrite(release, decision, previous, routing);
        }
        if (VirtualServiceWrites.ROLLBACK.equals(reason)
            && completed.isPresent()
            && completed.get().result().verdict() == Verdict.Fail) {
          metrics.rolledBackAfter(completed.get().waited());
        }
      }
    }
    // Deployments last: the canary is scaled down only once the stable carries the traffic.
    if (workloads != null && problem == null) {
      if (decision.workload().contains(WorkloadEffect.COPY_CANARY_TO_STABLE)) {
        deployments.copyCanaryToStable(namespace, workloads);
      }
      if (decision.workload().contains(WorkloadEffect.SCALE_CANARY_TO_ZERO)) {
        deployments.scaleCanaryToZero(namespace, workloads);
      }
    }
    return reschedule(decision, problem, key);
  }

  /**
   * Deletion (the finalizer): 100% back on the stable mid-rollout, the split kept once settled
   * (spec.onDelete overrides), and whatever the operator added to the VirtualService removed. A
   * VirtualService that is gone has nothing to restore: the deletion completes, with an event.
   */
  @Override
  public DeleteControl cleanup(CanaryRelease release, Context<CanaryRelease> context) {
    String namespace = release.getMetadata().getNamespace();
    String name = release.getMetadata().getName();
    StepPlan plan;
    try {
      plan = StepPlan.of(release.getSpec());
    } catch (IllegalArgumentException e) {
      plan = null;
    }
    RolloutStateMachine.DeletionDecision deletion =
        RolloutStateMachine.onDelete(plan, StatusMapper.toState(release.getStatus()));
    RouteTarget target = routeTarget(release, release.getStatus()).withoutExtras();
    String message;
    if (!istioInstalled) {
      message = "deleted; Istio is not installed, so no VirtualService was touched";
    } else {
      TrafficRouter.Snapshot routing =
          router.read(release.getSpec().getVirtualService().getName(), target);
      if (routing.problem() != null) {
        message = "deleted without touching the VirtualService: " + routing.problem().message();
      } else {
        RouteWeights weights =
            deletion.weights() != null
                ? deletion.weights()
                : Objects.requireNonNullElse(routing.weights(), RouteWeights.ALL_STABLE);
        TrafficRouter.Outcome outcome = router.apply(routing, target, weights);
        if (outcome.written()) {
          metrics.virtualServiceWritten(VirtualServiceWrites.DELETE);
        }
        message =
            outcome.problem() != null
                ? "deleted without touching the VirtualService: " + outcome.problem().message()
                : "deleted: "
                    + deletion.message()
                    + "; the routes and headers the release added are removed";
      }
    }
    new ReleaseEvents(client).record(release, "Deleted", message, false);
    log.info("{}/{}: Deleted - {}", namespace, name, message);
    metrics.forget(release);
    analyses.forget(vsKey(namespace, name));
    gates.forget(vsKey(namespace, name));
    activity.forget(vsKey(namespace, name));
    return DeleteControl.defaultDelete();
  }

  private static RouteTarget routeTarget(CanaryRelease release, CanaryReleaseStatus status) {
    CanaryReleaseSpec spec = release.getSpec();
    Map<String, String> stale = new HashMap<>();
    if (status != null && status.getCanaryHeaders() != null) {
      stale.putAll(status.getCanaryHeaders());
    }
    if (spec.getCanaryHeaders() != null) {
      spec.getCanaryHeaders().getSet().keySet().forEach(stale::remove);
    }
    return new RouteTarget(
        release.getMetadata().getName(),
        release.getMetadata().getNamespace(),
        spec.getVirtualService().getRoutes(),
        spec.getStable(),
        spec.getCanary(),
        spec.getCanaryGroup(),
        spec.getCanaryHeaders(),
        stale);
  }

  /**
   * Someone else changed the split since the status's decision: the VirtualService moved past the
   * generation the status recorded and carries another canary weight than the status says.
   */
  private static Observation.OutsideEdit outsideEdit(
      CanaryReleaseStatus previous, TrafficRouter.Snapshot routing) {
    if (previous == null
        || previous.getVirtualServiceGeneration() == null
        || previous.getCanaryWeight() == null
        || routing.problem() != null
        || routing.weights() == null
        || routing.generation() == previous.getVirtualServiceGeneration()
        || routing.weights().canary() == previous.getCanaryWeight()) {
      return null;
    }
    return new Observation.OutsideEdit(
        routing.weights(), Objects.requireNonNullElse(routing.lastEditor(), "an unknown client"));
  }

  private static long previousGeneration(CanaryReleaseStatus previous) {
    return previous == null || previous.getVirtualServiceGeneration() == null
        ? 0
        : previous.getVirtualServiceGeneration();
  }

  /**
   * The split was written although nothing changed: either the status's own decision had not
   * reached the VirtualService (the operator stopped between the two writes), or someone else
   * changed the VirtualService since (raising the canary's share, or anything but lowering it).
   */
  private void reportRewrite(
      CanaryRelease release,
      Decision decision,
      CanaryReleaseStatus previous,
      TrafficRouter.Snapshot routing) {
    String reason;
    String message;
    boolean warning;
    if (previous != null
        && Objects.equals(previous.getVirtualServiceGeneration(), routing.generation())) {
      reason = "InterruptedWriteCompleted";
      message =
          "the VirtualService did not carry the split the status had recorded (the operator "
              + "stopped between the two writes): canary at "
              + decision.weights().canary()
              + "% written now";
      warning = false;
    } else {
      reason = "WeightsRestored";
      message =
          "the VirtualService was changed by "
              + Objects.requireNonNullElse(routing.lastEditor(), "someone else")
              + "; the release's split was written again (lowering the canary's weight by hand"
              + " is taken as an abort instead)";
      warning = true;
    }
    new ReleaseEvents(client).record(release, reason, message, warning);
    log.info(
        "{}/{}: {} - {}",
        release.getMetadata().getNamespace(),
        release.getMetadata().getName(),
        reason,
        message);
  }

  /**
   * With the canary at 100% the stable serves nothing: compare with its traffic before the shift.
   */
  private static Instant stableBaseline(StepPlan plan, RolloutState state) {
    return plan.step(state.step()).weight() == 100 ? state.progress().weightChangedAt() : null;
  }

  private UpdateControl<CanaryRelease> reschedule(
      Decision decision, TrafficProblem problem, String key) {
    UpdateControl<CanaryRelease> control = UpdateControl.noUpdate();
    if (analyses.running(key)) {
      return control.rescheduleAfter(ANALYSIS_FALLBACK);
    }
    Phase phase = decision.state().phase();
    if (problem != null
        && phase != Phase.Promoted
        && phase != Phase.RolledBack
        && phase != Phase.Completed) {
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

  private static String vsKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    analyses.close();
  }
}
