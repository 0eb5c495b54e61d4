package dev.canaryoperator.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryRelease;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.NotificationEvent;
import dev.canaryoperator.api.NotificationType;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.rollout.Transition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One transition as a notification: what happened, to which release, where it stands, and the last
 * analysis's numbers on both sides with its verdict sentence.
 */
record NotificationMessage(
    NotificationEvent event,
    String namespace,
    String name,
    String reason,
    String message,
    CanaryReleaseStatus status,
    Instant time) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The event a transition is notified as, if any. */
  static Optional<NotificationEvent> eventOf(String reason) {
    return Optional.ofNullable(
        switch (reason) {
          case "RolloutStarted", "NewRollout" -> NotificationEvent.Started;
          case "StepAdvanced" -> NotificationEvent.StepAdvanced;
          case "Paused", "AwaitingPromotion" -> NotificationEvent.Paused;
          case "AnalysisFailed" -> NotificationEvent.AnalysisFailed;
          case "RolledBack", "Aborted" -> NotificationEvent.RolledBack;
          case "Promoted", "PromotedFull" -> NotificationEvent.Promoted;
          case "Completed" -> NotificationEvent.Completed;
          default -> null;
        });
  }

  static Optional<NotificationMessage> of(
      CanaryRelease release, Transition transition, CanaryReleaseStatus status, Instant time) {
    return eventOf(transition.reason())
        .map(
            event ->
                new NotificationMessage(
                    event,
                    release.getMetadata().getNamespace(),
                    release.getMetadata().getName(),
                    transition.reason(),
                    transition.message(),
                    status,
                    time));
  }

  String body(NotificationType type) {
    Object content = type == NotificationType.Slack ? Map.of("text", slackText()) : webhook();
    try {
      return JSON.writeValueAsString(content);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a notification that cannot be JSON: " + e, e);
    }
  }

  private Map<String, Object> webhook() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", event.name());
    body.put("reason", reason);
    body.put("message", message);
    body.put("release", Map.of("namespace", namespace, "name", name));
    body.put("time", time.toString());
    if (status != null) {
      body.put("phase", status.getPhase() == null ? null : status.getPhase().name());
      body.put("step", status.getCurrentStep());
      body.put("canaryWeight", status.getCanaryWeight());
      body.put("rolloutId", status.getRolloutId());
      AnalysisStatus last = status.getLastAnalysis();
      if (last != null) {
        Map<String, Object> analysis = new LinkedHashMap<>();
        analysis.put("time", last.getTime());
        analysis.put("verdict", last.getVerdict() == null ? null : last.getVerdict().name());
        analysis.put("reason", last.getReason());
        analysis.put("canary", side(last.getCanary()));
        analysis.put("stable", side(last.getStable()));
        body.put("analysis", analysis);
      }
    }
    return body;
  }

  private static Map<String, Object> side(SideMeasurement side) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (side != null) {
      out.put("requests", side.getRequests());
      out.put("errorRate", side.getErrorRate());
      out.put("latencyMs", side.getLatencyMs());
    }
    return out;
  }

  /** One line for people, then the numbers: "shop/reviews rolled back: ...". */
  String slackText() {
    StringBuilder text =
        new StringBuilder()
            .append(icon())
            .append(" *")
            .append(namespace)
            .append('/')
            .append(name)
            .append("* ")
            .append(words())
            .append(": ")
            .append(message);
    if (status != null && status.getCanaryWeight() != null) {
      text.append("\ncanary weight ").append(status.getCanaryWeight()).append('%');
      if (status.getCurrentStep() != null) {
        text.append(", step ").append(status.getCurrentStep());
      }
    }
    AnalysisStatus last = status == null ? null : status.getLastAnalysis();
    if (last != null && last.getVerdict() != null) {
      text.append("\nlast analysis: ")
          .append(last.getVerdict())
          .append(" (canary ")
          .append(numbers(last.getCanary()))
          .append("; stable ")
          .append(numbers(last.getStable()))
          .append(")");
    }
    return text.toString();
  }

  private String icon() {
    return switch (event) {
      case RolledBack, AnalysisFailed -> ":rotating_light:";
      case Promoted, Completed -> ":white_check_mark:";
      case Paused -> ":double_vertical_bar:";
      default -> ":arrow_forward:";
    };
  }

  private String words() {
    return switch (event) {
      case Started -> "started";
      case StepAdvanced -> "advanced";
      case Paused -> "paused";
      case AnalysisFailed -> "failed an analysis";
      case RolledBack -> "rolled back";
      case Promoted -> "promoted";
      case Completed -> "completed";
    };
  }

  private static String numbers(SideMeasurement side) {
    if (side == null || side.getRequests() == null) {
      return "no numbers";
    }
    StringBuilder out =
        new StringBuilder(String.format(Locale.ROOT, "%.0f requests", side.getRequests()));
    if (side.getErrorRate() != null) {
      out.append(String.format(Locale.ROOT, ", 5xx %.3g%%", side.getErrorRate() * 100));
    }
    if (side.getLatencyMs() != null) {
      out.append(String.format(Locale.ROOT, ", latency %.3g ms", side.getLatencyMs()));
    }
    return out.toString();
  }
}
