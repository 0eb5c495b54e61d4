package dev.canaryoperator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

@Group(CanaryRelease.GROUP)
@Version(CanaryRelease.VERSION)
@ShortNames("crel")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Weight",
    jsonPath = ".status.canaryWeight",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Step",
    jsonPath = ".status.currentStep",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Verdict",
    jsonPath = ".status.lastAnalysis.verdict",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class CanaryRelease extends CustomResource<CanaryReleaseSpec, CanaryReleaseStatus>
    implements Namespaced {
  public static final String GROUP = "canaryoperator.dev";
  public static final String VERSION = "v1alpha1";

  /*
   * Requests a person or a tool makes, as annotations whose value binds them to one rollout:
   * "<status.rolloutId>.<status.attempt>/<anything unique>" (for abort, an optional reason after
   * a space). Each value acts once; a value for another rollout, or one already acknowledged
   * (an old value restored by a GitOps tool, a replayed apply), acts on nothing.
   */

  /** Promote a release waiting at its last step under Manual promotion. */
  public static final String PROMOTE_ANNOTATION = GROUP + "/promote";

  /** Straight to 100% from any step, skipping the remaining steps and their analysis. */
  public static final String PROMOTE_FULL_ANNOTATION = GROUP + "/promote-full";

  /** Roll back now, with an optional reason after the request id. */
  public static final String ABORT_ANNOTATION = GROUP + "/abort";

  /** Start a rolled-back release again, as a new attempt of the same rollout. */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  @Override
  protected CanaryReleaseStatus initStatus() {
    return new CanaryReleaseStatus();
  }
}
