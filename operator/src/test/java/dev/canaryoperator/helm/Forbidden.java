package dev.canaryoperator.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that the API server refuses a call for lack of permission, not for any other reason. */
final class Forbidden {
  private Forbidden() {}

  static void refused(String what, ThrowingCallable call) {
    assertThatThrownBy(call)
        .as("the chart's ServiceAccount must not be allowed to %s", what)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              if (e.getCode() != 403) {
                throw new AssertionError(
                    "expected 403 Forbidden for '"
                        + what
                        + "', got "
                        + e.getCode()
                        + ": "
                        + e.getMessage(),
                    e);
              }
            });
  }
}
