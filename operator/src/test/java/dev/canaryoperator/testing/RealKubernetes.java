package dev.canaryoperator.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against a real Kubernetes API server with the Istio networking CRDs and the
 * CanaryRelease CRD installed. Test methods (and constructors / lifecycle methods) may declare
 * parameters of type {@link io.fabric8.kubernetes.client.KubernetesClient} (bound to a fresh
 * namespace of their own), {@link TestNamespace} and {@link TestCluster}.
 *
 * <p>The server is kube-api-test's etcd + kube-apiserver by default; {@code -Dit.kubernetes=k3s}
 * runs the same classes against K3s through Testcontainers, and skips them when no Docker engine is
 * present.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RealKubernetesExtension.class)
public @interface RealKubernetes {}
