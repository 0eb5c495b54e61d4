package dev.canaryoperator.plugin;

import dev.canaryoperator.api.CanaryRelease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.Objects;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl canary}: CanaryReleases from the command line. kubectl runs it from the PATH as
 * kubectl-canary and passes every argument on, so it takes kubectl's own flags.
 */
@Command(
    name = "kubectl canary",
    mixinStandardHelpOptions = true,
    versionProvider = KubectlCanary.Version.class,
    description = "Watch and steer canary releases (canaryoperator.dev CanaryRelease).",
    subcommands = {
      ListCommand.class,
      GetCommand.class,
      StatusCommand.class,
      RequestCommand.Promote.class,
      RequestCommand.Abort.class,
      RequestCommand.Retry.class,
      PauseCommand.Pause.class,
      PauseCommand.Resume.class,
      KubectlCanary.VersionCommand.class,
      KubectlCanary.Completion.class
    })
public final class KubectlCanary {
  /** Exit codes: 0 ok, 1 an error (kubectl's), 2 a timeout (status). */
  static final int ERROR = 1;

  @Option(
      names = {"-n", "--namespace"},
      description = "the namespace (default: the kubeconfig context's)",
      scope = CommandLine.ScopeType.INHERIT)
  String namespace;

  @Option(
      names = "--context",
      description = "the kubeconfig context to use",
      scope = CommandLine.ScopeType.INHERIT)
  String context;

  @Option(
      names = "--kubeconfig",
      description = "path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config)",
      scope = CommandLine.ScopeType.INHERIT)
  String kubeconfig;

  /** The API server the client talks to, for errors that must name it. */
  private String server;

  @Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    KubectlCanary root = new KubectlCanary();
    CommandLine cli = new CommandLine(root);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("error: " + message(e, root.server));
          return ERROR;
        });
    cli.setParameterExceptionHandler(
        (ParameterException e, String[] ignored) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage());
          e.getCommandLine().getErr().println("See 'kubectl canary --help' for usage.");
          return ERROR;
        });
    return cli.execute(args);
  }

  /**
   * kubectl's style: the API server's own sentence where there is one, and the server named when it
   * cannot be reached (the client's own message names only the operation).
   */
  private static String message(Exception e, String server) {
    if (e instanceof KubernetesClientException k && k.getStatus() != null) {
      return Objects.requireNonNullElse(k.getStatus().getMessage(), k.getMessage());
    }
    boolean unreachable = false;
    String why = null;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return "the connection to the server "
            + server
            + " was refused - did you specify the right host or port?";
      }
      if (cause instanceof IOException) {
        unreachable = true;
        why = cause.getMessage() != null ? cause.getMessage() : why;
      }
    }
    if (unreachable && server != null) {
      return "cannot reach the server " + server + (why == null ? "" : ": " + why);
    }
    return e.getMessage();
  }

  /** A client for the kubeconfig, context and namespace the flags name, as kubectl would pick. */
  KubernetesClient client() {
    if (kubeconfig != null) {
      System.setProperty("kubeconfig", kubeconfig);
    }
    Config config = Config.autoConfigure(context);
    if (context != null
        && config.getContexts().stream().noneMatch(c -> context.equals(c.getName()))) {
      throw new IllegalArgumentException("context \"" + context + "\" does not exist");
    }
    server = config.getMasterUrl().replaceAll("/$", "");
    if (namespace != null) {
      config.setNamespace(namespace);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The named release; kubectl's error when it is not there. */
  static CanaryRelease release(KubernetesClient client, String name) {
    CanaryRelease release = client.resources(CanaryRelease.class).withName(name).get();
    if (release == null) {
      throw new IllegalArgumentException("canaryreleases \"" + name + "\" not found");
    }
    return release;
  }

  static PrintWriter out(CommandLine.Model.CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "kubectl-canary "
            + Objects.requireNonNullElse(
                KubectlCanary.class.getPackage().getImplementationVersion(), "dev")
      };
    }
  }

  @Command(name = "version", description = "Print the plugin's version.")
  static final class VersionCommand implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      out(spec).println(new Version().getVersion()[0]);
    }
  }

  @Command(
      name = "completion",
      description = "Print a shell completion script: source <(kubectl canary completion bash).")
  static final class Completion implements Runnable {
    @CommandLine.Parameters(description = "bash or zsh")
    String shell;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      if (!shell.equals("bash") && !shell.equals("zsh")) {
        throw new ParameterException(spec.commandLine(), "shell must be bash or zsh, not " + shell);
      }
      String script = AutoComplete.bash("kubectl-canary", spec.parent().commandLine());
      if (shell.equals("zsh")) {
        script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
      }
      out(spec).print(script);
      out(spec).flush();
    }
  }
}
