package dev.canaryoperator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The dashboard users import and the chart's copy (Helm reads files only inside the chart). */
class DashboardFilesTest {
  private static final Path DASHBOARD = Path.of("../dashboards/canary-operator.json");
  private static final Path CHART_COPY =
      Path.of("../helm/canary-operator/dashboards/canary-operator.json");

  @Test
  void theChartCarriesTheSameDashboard() throws IOException {
    assertThat(Files.readString(CHART_COPY))
        .as("helm/canary-operator/dashboards/ differs from dashboards/: copy it over")
        .isEqualTo(Files.readString(DASHBOARD));
  }

  @Test
  void everyPanelQueriesThroughTheDatasourceVariable() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    assertThat(dashboard.path("uid").asText()).isEqualTo("canary-operator");
    for (JsonNode panel : dashboard.path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
    }
  }
}
