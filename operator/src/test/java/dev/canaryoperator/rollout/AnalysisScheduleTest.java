package dev.canaryoperator.rollout;

import static dev.canaryoperator.rollout.RolloutStateMachineTest.T0;
import static dev.canaryoperator.testing.Releases.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canaryoperator.analysis.AnalysisResult;
import dev.canaryoperator.analysis.Measurement;
import dev.canaryoperator.rollout.RolloutStateMachineTest.Drive;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** When analyses fall due: spread over the interval by release, never before the step's data. */
class AnalysisScheduleTest {
  private static final AnalysisResult PASS =
      AnalysisResult.pass(Measurement.UNKNOWN, Measurement.UNKNOWN, "fine");

  @Test
  void aReleasesOffsetIsStableAndWithinOneSecondAndTheInterval() {
    StepPlan plan = StepPlan.of(release("reviews").interval("10s").spec());

    Duration offset = plan.withAnalysisOffsetFor("shop/reviews").analysisOffset();

    assertThat(plan.withAnalysisOffsetFor("shop/reviews").analysisOffset()).isEqualTo(offset);
    assertThat(offset).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(10));
  }

  @Test
  void releasesCreatedTogetherAreSpreadOverTheInterval() {
    StepPlan plan = StepPlan.of(release("reviews").interval("10s").spec());

    // a thousand similar names land in every tenth of 1 s to 10 s, none holding a fifth of them
    int[] tenths = new int[10];
    IntStream.range(0, 1000)
        .forEach(
            i -> {
              long ms =
                  plan.withAnalysisOffsetFor("scale/release-" + i).analysisOffset().toMillis();
              tenths[(int) Math.min(9, (ms - 1000) / 900)]++;
            });
    assertThat(IntStream.of(tenths).boxed()).allSatisfy(n -> assertThat(n).isBetween(40, 200));
  }

  @Test
  void theEvidenceStartsAtTheFirstWholeIntervalOfTheStep() {
    Drive d = new Drive(release("reviews").interval("1m"));
    d.at(Duration.ofSeconds(20)).decide(null);

    Instant since = RolloutStateMachine.evidenceSince(d.plan, d.state);

    // the step started at 10:00:20: its evidence is counted from 10:01:00, never from before
    assertThat(since).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    // releases whose steps started anywhere in that minute share it
    Drive other = new Drive(release("ratings").interval("1m"));
    other.at(Duration.ofSeconds(59)).decide(null);
    assertThat(RolloutStateMachine.evidenceSince(other.plan, other.state)).isEqualTo(since);
  }

  @Test
  void theFirstAnalysisComesTheOffsetAfterTheEvidenceStartsThenOneIntervalApart() {
    Drive d = new Drive(release("reviews").interval("1m"));
    d.plan = d.plan.withAnalysisOffsetFor("shop/reviews");
    Duration offset = d.plan.analysisOffset();
    d.at(Duration.ofSeconds(20)).decide(null);
    Duration first = Duration.ofMinutes(1).plus(offset);

    assertThat(d.at(first.minusMillis(1)).due()).isFalse();
    d.analyseAt(first, PASS);
    assertThat(d.at(first.plus(Duration.ofSeconds(59))).due()).isFalse();
    assertThat(d.at(first.plus(Duration.ofMinutes(1))).due()).isTrue();
  }

  @Test
  void distinctNamesGiveDistinctOffsets() {
    StepPlan plan = StepPlan.of(release("reviews").interval("1m").spec());
    Set<Duration> offsets = new HashSet<>();
    for (String name : new String[] {"a/reviews", "b/reviews", "a/ratings", "a/details"}) {
      offsets.add(plan.withAnalysisOffsetFor(name).analysisOffset());
    }
    assertThat(offsets).hasSize(4);
  }
}
