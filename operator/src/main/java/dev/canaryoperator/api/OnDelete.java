package dev.canaryoperator.api;

/** What deleting a CanaryRelease does to the traffic. */
public enum OnDelete {
  /** 100% back on the stable, whatever the phase. */
  RestoreStable,
  /** Leave the split as it is. */
  Keep
}
