package dev.canaryoperator.rollout;

import dev.canaryoperator.api.CanaryReleaseSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What identifies one rollout: the two destinations and the revision. Steps and thresholds are
 * deliberately left out, so that tuning them applies to the rollout in flight.
 */
public final class RolloutId {
  private RolloutId() {}

  public static String of(CanaryReleaseSpec spec) {
    return of(spec, null);
  }

  /**
   * @param canaryPodSpec a hash of the canary Deployment's pod spec (spec.finalize names it), or
   *     null; it stands in for the revision when spec.revision is empty, so a new image starts a
   *     new rollout without editing the release
   */
  public static String of(CanaryReleaseSpec spec, String canaryPodSpec) {
    String revision =
        spec.getRevision() != null && !spec.getRevision().isBlank()
            ? spec.getRevision()
            : canaryPodSpec == null ? "" : "pod-spec:" + canaryPodSpec;
    String identity = spec.getStable() + "|" + spec.getCanary() + "|" + revision;
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
