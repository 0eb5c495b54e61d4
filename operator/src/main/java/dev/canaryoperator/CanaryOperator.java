package dev.canaryoperator;

import dev.canaryoperator.analysis.Analysis;
import dev.canaryoperator.health.Probes;
import dev.canaryoperator.metrics.OperatorMetrics;
import dev.canaryoperator.reconciler.CanaryReleaseReconciler;
import dev.canaryoperator.rollout.TransitionListener;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator assembled: one controller for CanaryRelease, started against a given client. */
public final class CanaryOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CanaryOperator.class);
  static final String LEASE_NAME = "canary-operator";
  static final String VERSION =
      java.util.Objects.requireNonNullElse(
          CanaryOperator.class.getPackage().getImplementationVersion(), "dev");

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final boolean electing;
  private final Operator operator;
  private final CanaryReleaseReconciler reconciler;

  /**
   * @param namespaces namespaces to watch; empty watches all
   * @param leaderElectionNamespace where the lease lives, or null to run without leader election
   */
  public CanaryOperator(
      KubernetesClient client,
      Analysis analysis,
      Clock clock,
      MeterRegistry registry,
      Set<String> namespaces,
      String leaderElectionNamespace) {
    this(client, analysis, clock, registry, namespaces, leaderElectionNamespace, List.of());
  }

  /**
   * @param listeners told about every transition the status holds (notifications)
   */
  public CanaryOperator(
      KubernetesClient client,
      Analysis analysis,
      Clock clock,
      MeterRegistry registry,
      Set<String> namespaces,
      String leaderElectionNamespace,
      List<TransitionListener> listeners) {
    this.electing = leaderElectionNamespace != null;
    this.leading.set(!electing);
    // JVM and process metrics next to the operator's own
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  // JOSDK's reconciliations, failures and queue, operator-wide (per-release series
                  // would multiply by thousands of releases)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(false)
                  // A missing or forbidden watch must end in a clear status, not in a crash loop.
                  .withStopOnInformerErrorDuringStartup(false)
                  .withUseSSAToPatchPrimaryResource(true);
              if (leaderElectionNamespace != null) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        LEASE_NAME,
                        leaderElectionNamespace,
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        null,
                        new LeaderCallbacks(
                            () -> leading.set(true), this::leadershipEnded, leader -> {}),
                        false));
              }
            });
    this.reconciler =
        new CanaryReleaseReconciler(
            client, analysis, clock, new OperatorMetrics(registry), listeners);
    operator.register(
        reconciler,
        overrider -> {
          if (!namespaces.isEmpty()) {
            overrider.settingNamespaces(namespaces);
          }
        });
  }

  /**
   * The configuration of the operator's own client: its user agent makes "canary-operator" the
   * field manager of its writes, so that a write by anyone else can be named in an event.
   */
  public static io.fabric8.kubernetes.client.Config clientConfig(
      io.fabric8.kubernetes.client.Config base) {
    return new io.fabric8.kubernetes.client.ConfigBuilder(base)
        .withUserAgent(
            dev.canaryoperator.traffic.VirtualServiceRouter.FIELD_MANAGER + "/" + VERSION)
        .build();
  }

  public void start() {
    operator.start();
  }

  /** What /readyz and /healthz answer for this operator. */
  public Probes probes(Clock clock) {
    return probes(clock, Probes.STALL);
  }

  /** As {@link #probes(Clock)}, with another limit for a stalled reconcile. */
  public Probes probes(Clock clock, Duration stall) {
    return new Probes(
        () ->
            new Probes.Runtime() {
              @Override
              public boolean started() {
                return operator.getRuntimeInfo().isStarted();
              }

              @Override
              public boolean leading() {
                return leading.get();
              }

              @Override
              public Set<String> unhealthyEventSources() {
                return Probes.names(operator.getRuntimeInfo().unhealthyEventSources());
              }

              @Override
              public Map<String, Instant> reconcilesRunningSince() {
                return reconciler.reconcilesRunningSince();
              }

              @Override
              public Map<String, Instant> reconcilesDueAt() {
                return reconciler.reconcilesDueAt();
              }
            },
        clock,
        stall);
  }

  /**
   * JOSDK's own exit-on-stop-leading also fires when close() gives the lease up: inside the SIGTERM
   * shutdown hook System.exit then blocks forever (the pod hangs until SIGKILL), and in a test it
   * ends the JVM. So exit only when the lease is lost while running, to stop a deposed leader from
   * writing; a restart joins the election again.
   */
  private void leadershipEnded() {
    leading.set(false);
    if (!stopping.get()) {
      log.error(
          "lost the lease {}: exiting so that no two operators write the same VirtualServices",
          LEASE_NAME);
      System.exit(1);
    }
  }

  @Override
  public void close() {
    stopping.set(true);
    operator.stop();
    reconciler.close();
  }
}
