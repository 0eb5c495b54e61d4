package dev.canaryoperator.statistics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IntervalTest {

  @Test
  void containsBothEndsAndWhatIsBetween() {
    Interval interval = new Interval(0.25, 0.75);

    assertThat(interval.contains(0.25)).isTrue();
    assertThat(interval.contains(0.5)).isTrue();
    assertThat(interval.contains(0.75)).isTrue();
    assertThat(interval.contains(Math.nextDown(0.25))).isFalse();
    assertThat(interval.contains(Math.nextUp(0.75))).isFalse();
    assertThat(interval.contains(Double.NaN)).isFalse();
  }

  @Test
  void aPointIsAnInterval() {
    Interval point = new Interval(3, 3);

    assertThat(point.contains(3)).isTrue();
    assertThat(point.contains(Math.nextUp(3.0))).isFalse();
    assertThat(point.contains(Math.nextDown(3.0))).isFalse();
  }

  @Test
  void anInfiniteEndExcludesNothingOnThatSide() {
    Interval atLeastOne = new Interval(1, Double.POSITIVE_INFINITY);

    assertThat(atLeastOne.contains(1e300)).isTrue();
    assertThat(atLeastOne.contains(Double.POSITIVE_INFINITY)).isTrue();
    assertThat(atLeastOne.contains(0.999)).isFalse();

    assertThat(Interval.EVERYTHING.contains(-Double.MAX_VALUE)).isTrue();
    assertThat(Interval.EVERYTHING.contains(Double.MAX_VALUE)).isTrue();
    assertThat(Interval.EVERYTHING.contains(0)).isTrue();
    assertThat(Interval.EVERYTHING.lower()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Interval.EVERYTHING.upper()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void rejectsReversedEnds() {
    assertThatThrownBy(() -> new Interval(2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an interval")
        .hasMessageContaining("[2.0, 1.0]");
  }

  @Test
  void rejectsNaNEnds() {
    assertThatThrownBy(() -> new Interval(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an interval");
    assertThatThrownBy(() -> new Interval(0, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an interval");
  }
}
