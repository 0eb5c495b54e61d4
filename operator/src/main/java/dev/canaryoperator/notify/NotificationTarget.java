package dev.canaryoperator.notify;

import dev.canaryoperator.api.NotificationEvent;
import dev.canaryoperator.api.NotificationType;
import java.net.URI;
import java.util.Set;

/**
 * A receiver: its URL given (operator-wide, from the chart's Secret through the environment) or
 * read from a Secret in the release's namespace when a message is sent.
 *
 * @param url null when the URL is in {@code secretName}/{@code key}
 * @param events empty for every event
 */
record NotificationTarget(
    NotificationType type, URI url, String secretName, String key, Set<NotificationEvent> events) {
  NotificationTarget {
    events = Set.copyOf(events);
  }

  boolean wants(NotificationEvent event) {
    return events.isEmpty() || events.contains(event);
  }

  /** For logs and metrics: never the URL, which may carry a token. */
  String describe() {
    return url != null ? type + " (operator-wide)" : type + " (Secret " + secretName + ")";
  }
}
