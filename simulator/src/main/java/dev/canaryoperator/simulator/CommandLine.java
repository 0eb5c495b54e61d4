package dev.canaryoperator.simulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the simulator's command line; every mistake is an {@link IllegalArgumentException} that
 * names it.
 */
public final class CommandLine {

  public static final String USAGE =
      """
      usage: java -jar canary-simulator-all.jar [options]

        --namespace NS                namespace of the VirtualService (required)
        --virtual-service NAME        VirtualService to watch on the API server
        --virtual-service-file FILE   or: route by this VirtualService YAML, no API server at all
        --kubeconfig FILE             API server credentials (default: KUBECONFIG, ~/.kube/config,
                                      or the pod's service account)
        --backend NAME=HOST[/SUBSET][,KEY=VALUE...]
                                      a destination to play, at least one; HOST and SUBSET as in the
                                      VirtualService; KEYs: workload, version, app (metric labels) and
                                      errorRate, errorStatus, latencyMs, latencySigma (behaviour)
                                      e.g. --backend stable=reviews-stable/v1
                                           --backend canary=reviews-canary/v2,latencyMs=30,errorRate=0.01
        --rate N                      requests per second, 0..5000 (default 50)
        --canary-group-fraction F     fraction of requests with the canary-group header (default 0)
        --canary-group-header H=V     that header (default x-canary=true)
        --port N                      port of /metrics, /stats and /admin (default 9464, 0 = any)
        --address ADDR                address of that port (default 127.0.0.1)
        --seed N                      fix the random draws
        --help                        this text
      """;

  private CommandLine() {}

  /** Returns null when help was asked for. */
  public static SimulatorOptions parse(String[] args) {
    Path kubeconfig = null, vsFile = null;
    String namespace = null, vs = null;
    List<Map.Entry<BackendSpec, BackendBehaviour>> backends = new ArrayList<>();
    LoadSettings load = LoadSettings.DEFAULT;
    InetAddress address = InetAddress.getLoopbackAddress();
    int port = 9464;
    Long seed = null;

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) { // --rate=50 as well as --rate 50
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        value = args[++i];
      }
      switch (arg) {
        case "--kubeconfig" -> kubeconfig = existingFile(arg, value);
        case "--namespace" -> namespace = value;
        case "--virtual-service" -> vs = value;
        case "--virtual-service-file" -> vsFile = existingFile(arg, value);
        case "--backend" -> backends.add(backend(value));
        case "--rate" -> load = load.withRate(number(arg, value));
        case "--canary-group-fraction" -> load = load.withCanaryGroupFraction(number(arg, value));
        case "--canary-group-header" -> {
          int e = value.indexOf('=');
          if (e <= 0) {
            throw new IllegalArgumentException(
                "--canary-group-header wants NAME=VALUE, got '" + value + "'");
          }
          load = load.withCanaryGroupHeader(value.substring(0, e), value.substring(e + 1));
        }
        case "--port" -> port = (int) number(arg, value);
        case "--address" -> address = address(value);
        case "--seed" -> seed = (long) number(arg, value);
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException("--namespace is required");
    }
    if ((vs == null) == (vsFile == null)) {
      throw new IllegalArgumentException(
          "give exactly one of --virtual-service and --virtual-service-file");
    }
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("at least one --backend is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be within 0..65535: " + port);
    }
    return new SimulatorOptions(
        kubeconfig, namespace, vs, vsFile, backends, load, address, port, seed);
  }

  static Map.Entry<BackendSpec, BackendBehaviour> backend(String value) {
    String[] parts = value.split(",");
    int eq = parts[0].indexOf('=');
    if (eq <= 0 || eq == parts[0].length() - 1) {
      throw new IllegalArgumentException(
          "--backend wants NAME=HOST[/SUBSET][,KEY=VALUE...], got '" + value + "'");
    }
    String name = parts[0].substring(0, eq);
    String target = parts[0].substring(eq + 1);
    int slash = target.indexOf('/');
    String host = slash < 0 ? target : target.substring(0, slash);
    String subset = slash < 0 ? null : target.substring(slash + 1);
    BackendSpec spec = BackendSpec.of(name, host, subset);
    Map<String, String> behaviour = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int e = parts[i].indexOf('=');
      if (e <= 0) {
        throw new IllegalArgumentException(
            "backend " + name + ": '" + parts[i] + "' is not KEY=VALUE");
      }
      String k = parts[i].substring(0, e), v = parts[i].substring(e + 1);
      switch (k) {
        case "workload" -> spec = spec.withWorkload(v);
        case "version" -> spec = spec.withVersion(v);
        case "app" -> spec = spec.withApp(v);
        default -> behaviour.put(k, v);
      }
    }
    try {
      return Map.entry(spec, BackendBehaviour.HEALTHY.with(behaviour));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("backend " + name + ": " + e.getMessage(), e);
    }
  }

  private static double number(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " wants a number, got '" + value + "'");
    }
  }

  private static Path existingFile(String option, String value) {
    Path p = Path.of(value);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(option + ": cannot read " + value);
    }
    return p;
  }

  private static InetAddress address(String value) {
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--address: unknown host " + value);
    }
  }
}
