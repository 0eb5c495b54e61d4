package dev.canaryoperator.simulator;

import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Test VirtualServices written as YAML, so they go through the same deserialisation as the
 * informer's.
 */
final class VirtualServices {
  private VirtualServices() {}

  static VirtualService yaml(String yaml) {
    return Serialization.unmarshal(yaml, VirtualService.class);
  }

  /**
   * reviews in bookinfo: a canary-group route (x-canary: true) to the canary, then a weighted
   * split.
   */
  static VirtualService split(int stableWeight, int canaryWeight) {
    return yaml(
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: bookinfo, resourceVersion: "%d"}
        spec:
          hosts: [reviews]
          http:
          - name: canary-group
            match:
            - headers:
                x-canary: {exact: "true"}
            route:
            - destination: {host: reviews-canary, subset: v2}
          - name: primary
            route:
            - destination: {host: reviews-stable, subset: v1, port: {number: 9080}}
              weight: %d
            - destination: {host: reviews-canary, subset: v2, port: {number: 9080}}
              weight: %d
        """
            .formatted(stableWeight * 1000 + canaryWeight, stableWeight, canaryWeight));
  }
}
