package dev.canaryoperator.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

  @TempDir Path dir;

  private static String[] args(String line) {
    return line.trim().split("\\s+");
  }

  @Test
  void parsesTheDocumentedExample() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");
    SimulatorOptions o =
        CommandLine.parse(
            args(
                "--kubeconfig "
                    + kubeconfig
                    + " --namespace bookinfo --virtual-service reviews"
                    + " --backend stable=reviews-stable/v1"
                    + " --backend canary=reviews-canary/v2,latencyMs=130,errorRate=0.02,workload=reviews-v2"
                    + " --rate 50 --port=9464 --canary-group-fraction 0.05 --canary-group-header x-group=testers --seed 7"));

    assertThat(o.kubeconfig()).isEqualTo(kubeconfig);
    assertThat(o.namespace()).isEqualTo("bookinfo");
    assertThat(o.virtualService()).isEqualTo("reviews");
    assertThat(o.virtualServiceFile()).isNull();
    assertThat(o.port()).isEqualTo(9464);
    assertThat(o.seed()).isEqualTo(7L);
    assertThat(o.load()).isEqualTo(new LoadSettings(50, 0.05, "x-group", "testers", "/"));
    assertThat(o.backends())
        .containsExactly(
            Map.entry(BackendSpec.of("stable", "reviews-stable", "v1"), BackendBehaviour.HEALTHY),
            Map.entry(
                BackendSpec.of("canary", "reviews-canary", "v2").withWorkload("reviews-v2"),
                BackendBehaviour.HEALTHY.with(Map.of("latencyMs", "130", "errorRate", "0.02"))));
  }

  @Test
  void helpIsNotAnError() {
    assertThat(CommandLine.parse(args("--help"))).isNull();
  }

  @Test
  void mistakesAreNamed() {
    assertThatThrownBy(
            () -> CommandLine.parse(args("--virtual-service reviews --backend s=reviews")))
        .hasMessage("--namespace is required");
    assertThatThrownBy(() -> CommandLine.parse(args("--namespace b --backend s=reviews")))
        .hasMessageContaining("exactly one of --virtual-service and --virtual-service-file");
    assertThatThrownBy(() -> CommandLine.parse(args("--namespace b --virtual-service r")))
        .hasMessageContaining("at least one --backend");
    assertThatThrownBy(
            () -> CommandLine.parse(args("--namespace b --virtual-service r --backend reviews")))
        .hasMessageContaining("--backend wants NAME=HOST");
    assertThatThrownBy(
            () ->
                CommandLine.parse(
                    args("--namespace b --virtual-service r --backend s=reviews,latency=3")))
        .hasMessageContaining("backend s: unknown backend setting 'latency'");
    assertThatThrownBy(
            () ->
                CommandLine.parse(
                    args("--namespace b --virtual-service r --backend s=reviews --rate lots")))
        .hasMessageContaining("--rate wants a number");
    assertThatThrownBy(
            () ->
                CommandLine.parse(
                    args("--namespace b --virtual-service r --backend s=reviews --rate 9000")))
        .hasMessageContaining("rate must be within 0..5000");
    assertThatThrownBy(
            () ->
                CommandLine.parse(
                    args("--namespace b --virtual-service r --backend s=reviews --verbose x")))
        .hasMessage("unknown option --verbose");
    assertThatThrownBy(() -> CommandLine.parse(args("--namespace")))
        .hasMessage("--namespace needs a value");
    assertThatThrownBy(
            () ->
                CommandLine.parse(
                    args(
                        "--namespace b --virtual-service r --backend s=r --kubeconfig /no/such/file")))
        .hasMessageContaining("cannot read /no/such/file");
  }
}
