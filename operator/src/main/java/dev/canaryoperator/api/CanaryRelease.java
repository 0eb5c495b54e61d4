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

  /**
   * Annotation a person sets (to any new value) to promote a release waiting under Manual
   * promotion.
   */
  public static final String PROMOTE_ANNOTATION = GROUP + "/promote";

  /** Annotation a person sets (to any new value) to start a rolled-back release again. */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  @Override
  protected CanaryReleaseStatus initStatus() {
    return new CanaryReleaseStatus();
  }
}
