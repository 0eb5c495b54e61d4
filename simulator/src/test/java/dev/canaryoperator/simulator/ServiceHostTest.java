package dev.canaryoperator.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceHostTest {

  @Test
  void shortNameBelongsToTheRulesNamespace() {
    assertThat(ServiceHost.resolve("reviews", "bookinfo"))
        .isEqualTo(new ServiceHost("reviews.bookinfo.svc.cluster.local", "reviews", "bookinfo"));
  }

  @Test
  void qualifiedNameNamesItsNamespace() {
    assertThat(ServiceHost.resolve("reviews.shop.svc.cluster.local", "bookinfo"))
        .isEqualTo(new ServiceHost("reviews.shop.svc.cluster.local", "reviews", "shop"));
    assertThat(ServiceHost.resolve("reviews.shop.svc", "bookinfo"))
        .isEqualTo(new ServiceHost("reviews.shop.svc.cluster.local", "reviews", "shop"));
  }

  @Test
  void otherDottedNamesAreTakenLiterally() {
    assertThat(ServiceHost.resolve("api.example.com", "bookinfo"))
        .isEqualTo(new ServiceHost("api.example.com", "api", "bookinfo"));
  }

  @Test
  void emptyHostIsRejected() {
    assertThatThrownBy(() -> ServiceHost.resolve(" ", "bookinfo"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
