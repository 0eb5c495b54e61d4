package dev.canaryoperator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupedQueriesTest {
  private static final List<MeshDestination> SIDES =
      List.of(
          new MeshDestination("shop", "reviews-canary", null),
          new MeshDestination("shop", "reviews", null),
          new MeshDestination("payments", "ratings", "v2"));

  @Test
  void oneQueryPerMeasureForEveryDestinationSummedByTheLabelsThatTellThemApart() {
    GroupedQueries queries = GroupedQueries.of(SIDES, Duration.ofSeconds(30));

    String sel =
        "reporter=\"destination\",destination_service_namespace=~\"payments|shop\","
            + "destination_service_name=~\"ratings|reviews|reviews-canary\"";
    assertThat(queries.requests())
        .isEqualTo(
            "sum by (destination_service_namespace,destination_service_name,"
                + "destination_version)(((istio_requests_total{"
                + sel
                + "} - istio_requests_total{"
                + sel
                + "} offset 30000ms) >= 0) or (istio_requests_total{"
                + sel
                + "} * 1))");
    assertThat(queries.latencyBuckets())
        .startsWith(
            "sum by (destination_service_namespace,destination_service_name,"
                + "destination_version,le)(")
        .contains("istio_request_duration_milliseconds_bucket{" + sel + "}");
    assertThat(queries.errors()).contains(sel + ",response_code=~\"5..\"}");
  }

  @Test
  void namesAreMatchedLiterallyNotAsPatterns() {
    GroupedQueries queries =
        GroupedQueries.of(
            List.of(new MeshDestination("shop", "a.b", null)), Duration.ofSeconds(30));

    assertThat(queries.requests()).contains("destination_service_name=~\"a\\\\.b\"");
  }

  @Test
  void aSideTakesOnlyItsOwnRows() {
    MeshDestination service = new MeshDestination("shop", "reviews", null);
    MeshDestination subset = new MeshDestination("payments", "ratings", "v2");

    Map<String, String> reviewsV1 =
        Map.of(
            "destination_service_namespace", "shop",
            "destination_service_name", "reviews",
            "destination_version", "v1");
    Map<String, String> ratingsV1 =
        Map.of(
            "destination_service_namespace", "payments",
            "destination_service_name", "ratings",
            "destination_version", "v1");
    Map<String, String> reviewsElsewhere =
        Map.of(
            "destination_service_namespace", "payments",
            "destination_service_name", "reviews",
            "destination_version", "v1");

    assertThat(service.matches(reviewsV1)).isTrue();
    assertThat(service.matches(reviewsElsewhere)).isFalse();
    assertThat(subset.matches(ratingsV1)).isFalse();
  }
}
