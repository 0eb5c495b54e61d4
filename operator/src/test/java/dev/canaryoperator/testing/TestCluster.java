package dev.canaryoperator.testing;

import io.fabric8.kubernetes.client.Config;

/** A running Kubernetes API server that integration tests talk to. */
public interface TestCluster extends AutoCloseable {

  /** Client configuration with cluster-admin rights; namespace unset. */
  Config adminConfig();

  /** The kubeconfig YAML for command-line tools and child processes. */
  String kubeconfigYaml();

  String describe();

  @Override
  void close();
}
