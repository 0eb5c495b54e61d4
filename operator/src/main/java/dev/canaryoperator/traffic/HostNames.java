package dev.canaryoperator.traffic;

/**
 * Istio lets a destination host be written short ("reviews"), namespace-qualified
 * ("reviews.bookinfo") or fully qualified ("reviews.bookinfo.svc.cluster.local"); all three name
 * the same Service when resolved from the VirtualService's namespace.
 */
final class HostNames {
  private HostNames() {}

  static String qualify(String host, String namespace) {
    String[] parts = host.split("\\.");
    return switch (parts.length) {
      case 1 -> host + "." + namespace + ".svc.cluster.local";
      case 2 -> host + ".svc.cluster.local";
      case 3 -> parts[2].equals("svc") ? host + ".cluster.local" : host;
      default -> host;
    };
  }

  static boolean same(String a, String b, String namespace) {
    return a != null && b != null && qualify(a, namespace).equals(qualify(b, namespace));
  }
}
