package dev.canaryoperator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canaryoperator.api.AnalysisStatus;
import dev.canaryoperator.api.CanaryReleaseStatus;
import dev.canaryoperator.api.NotificationEvent;
import dev.canaryoperator.api.NotificationType;
import dev.canaryoperator.api.Phase;
import dev.canaryoperator.api.SideMeasurement;
import dev.canaryoperator.api.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NotificationMessageTest {
  @Test
  void everyTransitionAUserWaitsForIsAnEventAndNoOtherIs() {
    assertThat(NotificationMessage.eventOf("RolloutStarted")).contains(NotificationEvent.Started);
    assertThat(NotificationMessage.eventOf("NewRollout")).contains(NotificationEvent.Started);
    assertThat(NotificationMessage.eventOf("StepAdvanced"))
        .contains(NotificationEvent.StepAdvanced);
    assertThat(NotificationMessage.eventOf("Paused")).contains(NotificationEvent.Paused);
    assertThat(NotificationMessage.eventOf("AwaitingPromotion")).contains(NotificationEvent.Paused);
    assertThat(NotificationMessage.eventOf("AnalysisFailed"))
        .contains(NotificationEvent.AnalysisFailed);
    assertThat(NotificationMessage.eventOf("RolledBack")).contains(NotificationEvent.RolledBack);
    assertThat(NotificationMessage.eventOf("Aborted")).contains(NotificationEvent.RolledBack);
    assertThat(NotificationMessage.eventOf("PromotedFull")).contains(NotificationEvent.Promoted);
    assertThat(NotificationMessage.eventOf("Completed")).contains(NotificationEvent.Completed);
    assertThat(NotificationMessage.eventOf("AnalysisInconclusive")).isEmpty();
    assertThat(NotificationMessage.eventOf("InterruptedWriteCompleted")).isEmpty();
  }

  @Test
  void aCompletedReleaseCarriesItsNumbersInBothShapes() throws Exception {
    CanaryReleaseStatus status = new CanaryReleaseStatus();
    status.setPhase(Phase.Completed);
    status.setCanaryWeight(0);
    status.setCurrentStep(3);
    AnalysisStatus last = new AnalysisStatus();
    last.setVerdict(Verdict.Pass);
    last.setReason("canary 5xx 0.1% vs stable 0.1%");
    SideMeasurement canary = new SideMeasurement();
    canary.setRequests(1200.0);
    canary.setErrorRate(0.001);
    canary.setLatencyMs(48.0);
    last.setCanary(canary);
    last.setStable(canary);
    status.setLastAnalysis(last);
    NotificationMessage message =
        new NotificationMessage(
            NotificationEvent.Completed,
            "shop",
            "reviews",
            "Completed",
            "the stable runs the canary's version",
            status,
            Instant.parse("2026-12-07T10:00:00Z"));

    JsonNode webhook = new ObjectMapper().readTree(message.body(NotificationType.Webhook));
    assertThat(webhook.path("event").asText()).isEqualTo("Completed");
    assertThat(webhook.path("release").path("namespace").asText()).isEqualTo("shop");
    assertThat(webhook.path("phase").asText()).isEqualTo("Completed");
    assertThat(webhook.path("analysis").path("canary").path("requests").asDouble())
        .isEqualTo(1200.0);
    assertThat(webhook.path("time").asText()).isEqualTo("2026-12-07T10:00:00Z");

    JsonNode slack = new ObjectMapper().readTree(message.body(NotificationType.Slack));
    assertThat(slack.path("text").asText())
        .startsWith(":white_check_mark: *shop/reviews* completed: the stable runs")
        .contains("canary 1200 requests, 5xx 0.100%, latency 48.0 ms");
  }
}
