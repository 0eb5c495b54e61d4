package dev.canaryoperator.testsupport;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import java.nio.file.Path;

/**
 * etcd + kube-apiserver as local processes (fabric8 kube-api-test in offline mode), from the
 * binaries scripts/control-plane-binaries.sh builds from Go modules into {@code
 * <binariesDir>/k8s/<version>-linux-amd64/}.
 *
 * <p>Configured in code, never through KUBE_API_TEST_* environment variables: kube-api-test 7.5.2
 * casts its boolean and integer ones to Boolean/Integer and throws a ClassCastException.
 *
 * @param binariesDir kube-api-test's directory; it writes its certificates there too
 */
public record KubeApiServers(String version, Path binariesDir) {
  /** The version the build pins (kube.version in the root pom), for runs outside Maven. */
  public static final String DEFAULT_VERSION = "1.34.2";

  /**
   * From the system properties Maven sets (kube.version, kube.api.test.dir), else the build's
   * defaults.
   */
  public static KubeApiServers fromSystemProperties() {
    return new KubeApiServers(
        System.getProperty("kube.version", DEFAULT_VERSION),
        Path.of(
            System.getProperty(
                "kube.api.test.dir", System.getProperty("user.home") + "/.kubeapitest")));
  }

  /**
   * Starts a fresh API server with an empty etcd; it is stopped on close, or when the JVM exits.
   */
  public LocalKubeApiServer start() {
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withApiServerVersion(version)
                .withTestDir(binariesDir.toString())
                // never touch the user's ~/.kube/config
                .withUpdateKubeConfig(false)
                // the first start on a busy 2-core machine takes longer than kube-api-test's
                // default
                .withStartupTimeout(120_000)
                .build());
    return LocalKubeApiServer.start(server, version);
  }
}
