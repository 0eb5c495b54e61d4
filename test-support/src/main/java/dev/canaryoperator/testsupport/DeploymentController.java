package dev.canaryoperator.testsupport;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;

/**
 * Deployments for the finalisation tests, and the Deployment controller's part in them: the test
 * API server runs no controller-manager, so nobody else ever writes a Deployment's status. The test
 * says when a rollout has finished by writing the status a real controller would ({@code
 * observedGeneration}, {@code replicas}, {@code updatedReplicas}, {@code availableReplicas}).
 */
public final class DeploymentController {
  private final KubernetesClient client;
  private final String namespace;

  /** Deployments in the client's own namespace. */
  public DeploymentController(KubernetesClient client) {
    this(client, client.getNamespace());
  }

  public DeploymentController(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** A Deployment of the track ("stable" or "canary") running the image, 3 replicas. */
  public Deployment create(String name, String track, String image) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withNewSelector()
            .withMatchLabels(Map.of("app", "reviews", "track", track))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", "reviews", "track", track))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("reviews")
            .withImage(image)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Deployment created = client.resource(d).create();
    rolledOut(name);
    return created;
  }

  /** Plays the controller: every replica of the current generation is updated and available. */
  public void rolledOut(String name) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    int replicas = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .withAvailableReplicas(replicas)
            .build());
    client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
  }

  /** Plays the controller halfway: the new generation seen, one replica updated, none available. */
  public void rollingOut(String name) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    int replicas = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas + 1)
            .withUpdatedReplicas(1)
            .withReadyReplicas(replicas - 1)
            .withAvailableReplicas(replicas - 1)
            .build());
    client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
  }

  /** A commit of a new image to the Deployment, as Argo CD would sync it. */
  public void setImage(String name, String image) {
    client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            d -> {
              d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
              return d;
            });
  }

  public Deployment get(String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  public String image(String name) {
    return get(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
