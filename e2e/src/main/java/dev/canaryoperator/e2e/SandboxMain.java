package dev.canaryoperator.e2e;

import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.simulator.BackendBehaviour;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandbox: the whole loop on this machine (kube-apiserver, Prometheus, simulated mesh, the
 * operator process), showing a healthy canary promoted step by step, then a canary with three times
 * the stable's error rate rolled back, with the measured reason. Run it through {@code ./sandbox}.
 */
public final class SandboxMain {
  private static final String USAGE =
      """
      usage: ./sandbox [--scenario promote|rollback|both] [--keep]
        --scenario  promote: a healthy canary through 5/10/25/50/100%
                    rollback: a canary failing 3x the stable's requests, rolled back
                    both (default): one after the other
        --keep      keep the stack running at the end, print how to reach it, stop on Ctrl-C
      """;
  private static final Duration SCENARIO_TIMEOUT = Duration.ofMinutes(4);

  private final MeshStack stack;
  private final Terminal terminal;

  private SandboxMain(MeshStack stack, Terminal terminal) {
    this.stack = stack;
    this.terminal = terminal;
  }

  public static void main(String[] args) throws Exception {
    String scenario = "both";
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keep" -> keep = true;
        case "--scenario" -> scenario = i + 1 < args.length ? args[++i] : "";
        case "-h", "--help" -> {
          System.out.print(USAGE);
          return;
        }
        default -> {
          System.err.print("unknown option " + args[i] + "\n" + USAGE);
          System.exit(2);
        }
      }
    }
    if (!List.of("promote", "rollback", "both").contains(scenario)) {
      System.err.print("--scenario must be promote, rollback or both\n" + USAGE);
      System.exit(2);
    }
    // The processes' chatter goes to a file: the terminal shows the rollouts.
    Path log = Files.createTempFile("canary-sandbox-", ".log");
    System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");

    Terminal terminal = Terminal.system();
    terminal.say("starting kube-apiserver + etcd and Prometheus (log: " + log + ")");
    // the stack's own shutdown hook stops every process on Ctrl-C
    MeshStack stack = MeshStack.start();
    boolean ok;
    try {
      terminal.say(
          "kube-apiserver ready (kubeconfig "
              + stack.kubeconfig()
              + "), Prometheus at "
              + stack.prometheusUrl());
      SandboxMain sandbox = new SandboxMain(stack, terminal);
      ok = true;
      if (!scenario.equals("rollback")) {
        ok &= sandbox.promote();
      }
      if (!scenario.equals("promote")) {
        ok &= sandbox.rollback();
      }
      if (keep) {
        terminal.say("");
        terminal.say("the stack keeps running; Ctrl-C stops it and every process it started");
        terminal.say("  export KUBECONFIG=" + stack.kubeconfig());
        terminal.say(
            "  kubectl get canaryreleases -A -w        (kubectl: ~/.kubeapitest/k8s/<version>-linux-amd64/kubectl)");
        terminal.say(
            "  Prometheus: "
                + stack.prometheusUrl()
                + "/graph?g0.expr=sum%20by%20(destination_service_name)"
                + "%20(rate(istio_requests_total%5B10s%5D))");
        Thread.currentThread().join();
      }
    } finally {
      stack.close();
    }
    System.exit(ok ? 0 : 1);
  }

  /** A healthy canary, promoted through every step. */
  private boolean promote() throws Exception {
    terminal.say("");
    terminal.say(
        "== a healthy canary: same errors (0%) and latency (50 ms) as the stable, "
            + (int) MeshSpec.HEALTHY_RATE
            + " requests/s; each step passes once the evidence rules a regression out");
    ReleasePlan plan =
        ReleasePlan.of(Duration.ofSeconds(10), 5, 10, 25, 50, 100).window(Duration.ofSeconds(20));
    try (Mesh mesh = stack.mesh(MeshSpec.healthy("sandbox-promote"))) {
      return watch(mesh, "reviews", plan, status -> {}) == Phase.Promoted;
    }
  }

  /**
   * A canary that starts failing three times as often as the stable once it has 25% of the traffic.
   */
  private boolean rollback() throws Exception {
    terminal.say("");
    terminal.say(
        "== a failing canary: both sides answer 5% with 503 until the canary reaches 25%, then the canary 15%");
    // a window of 3 analyses: the fault fills it soon after it starts
    ReleasePlan plan =
        ReleasePlan.of(Duration.ofSeconds(10), 10, 25, 50, 100)
            .window(Duration.ofSeconds(12))
            .minRequests(20);
    try (Mesh mesh = stack.mesh(MeshSpec.healthy("sandbox-rollback").withErrorRate(0.05))) {
      boolean[] injected = {false};
      Phase end =
          watch(
              mesh,
              "reviews",
              plan,
              status -> {
                if (!injected[0]
                    && status.getCurrentStep() != null
                    && status.getCurrentStep() >= 2) {
                  BackendBehaviour b = mesh.behaviour(Mesh.CANARY);
                  mesh.behaviour(
                      Mesh.CANARY,
                      new BackendBehaviour(0.15, b.errorStatus(), b.latencyMs(), b.latencySigma()));
                  injected[0] = true;
                  terminal.say(">> canary now fails 15% of its requests (stable: 5%)");
                }
              });
      return end == Phase.RolledBack;
    }
  }

  private Phase watch(
      Mesh mesh,
      String name,
      ReleasePlan plan,
      java.util.function.Consumer<CanaryReleaseStatus> onStatus)
      throws InterruptedException {
    ProgressView view = new ProgressView(name, plan);
    try (StatusLog status = mesh.statusLog(name)) {
      mesh.apply(plan.release(name, stack.prometheusUrl()));
      terminal.say(
          "applied CanaryRelease "
              + mesh.namespace()
              + "/"
              + name
              + ": steps "
              + plan.weights()
              + " of "
              + plan.stages().get(0).duration().toSeconds()
              + "s, analysis every "
              + plan.interval().toSeconds()
              + "s over "
              + plan.window().toSeconds()
              + "s");
      terminal.newBlock();
      Instant deadline = Instant.now().plus(SCENARIO_TIMEOUT);
      while (Instant.now().isBefore(deadline)) {
        CanaryReleaseStatus latest = status.latest();
        terminal.show(view.render(latest, Instant.now()));
        if (latest != null) {
          onStatus.accept(latest);
          if (latest.getPhase() == Phase.Promoted
              || latest.getPhase() == Phase.RolledBack
              || latest.getPhase() == Phase.Failed) {
            summarize(status);
            return latest.getPhase();
          }
        }
        Thread.sleep(1000);
      }
      terminal.say(
          "!! not finished within "
              + SCENARIO_TIMEOUT.toMinutes()
              + " minutes; operator log: "
              + mesh.operator().log());
      return null;
    }
  }

  private void summarize(StatusLog status) {
    CanaryReleaseStatus last = status.latest();
    terminal.say("history:");
    for (var h : last.getHistory()) {
      terminal.say(
          String.format(
              "  %s  step %s  canary %3s%%  %-15s %s",
              h.getTime(), h.getStep(), h.getCanaryWeight(), h.getReason(), h.getMessage()));
    }
    List<String> verdicts = new ArrayList<>();
    status
        .analyses()
        .forEach(
            a ->
                verdicts.add(
                    switch (a.getVerdict()) {
                      case Pass -> "+";
                      case Fail -> "X";
                      case Collecting -> ".";
                      case Inconclusive -> "?";
                    }));
    terminal.say(
        "analyses (+ pass, . collecting evidence, ? inconclusive, X fail): "
            + String.join("", verdicts));
  }
}
