package dev.canaryoperator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Where to tell about a release's transitions. The URL is read from a Secret in the release's
 * namespace (a webhook URL is a credential: Slack's carries its token).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Notification {
  @Required private NotificationType type;

  /** Secret in the release's namespace holding the URL. */
  @Required
  @Size(min = 1, max = 253)
  private String secretName;

  /** The Secret's key that holds the URL. */
  @Default("url")
  @Size(min = 1, max = 253)
  private String key = "url";

  /** Absent: every event. */
  @Size(max = 7)
  private List<NotificationEvent> events;

  public Notification() {}

  public Notification(NotificationType type, String secretName) {
    this.type = type;
    this.secretName = secretName;
  }

  public NotificationType getType() {
    return type;
  }

  public void setType(NotificationType type) {
    this.type = type;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public List<NotificationEvent> getEvents() {
    return events;
  }

  public void setEvents(List<NotificationEvent> events) {
    this.events = events;
  }
}
