package dev.moe2.orchestrator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.protocol.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityTest {

  static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  final MovingClock clock = new MovingClock(T0);
  final Activity activity = new Activity(clock);

  static Decision decision(
      Instant at,
      String category,
      Decision.Outcome outcome,
      double joules,
      boolean violated,
      Double ttftMs) {
    return new Decision(
        "req-" + at.toEpochMilli(),
        at,
        category,
        false,
        1,
        1.0,
        60.0,
        List.of(),
        List.of(),
        "energy",
        outcome,
        null,
        null,
        12.5,
        joules,
        violated,
        null,
        null,
        null,
        ttftMs,
        null);
  }

  @Test
  void lastHour_decisionsInTwoMinutes_countedPerMinuteWithJoulesAndMedianTtft() {
    activity.recorded(
        decision(T0.plusSeconds(5), "math", Decision.Outcome.ANSWERED, 10, false, 30.0));
    activity.recorded(
        decision(T0.plusSeconds(9), "math", Decision.Outcome.ANSWERED, 5, true, 50.0));
    activity.recorded(
        decision(T0.plusSeconds(20), "code", Decision.Outcome.ANSWERED, 7, false, 40.0));
    activity.recorded(
        decision(T0.plusSeconds(70), "code", Decision.Outcome.NO_ANSWER, 0, false, null));
    activity.recorded(
        decision(T0.plusSeconds(80), "code", Decision.Outcome.OVER_BUDGET, 0, false, null));
    activity.recorded(
        decision(T0.plusSeconds(90), "math", Decision.Outcome.CLIENT_GONE, 0, false, null));
    clock.now = T0.plusSeconds(100);

    List<Activity.Minute> hour = activity.lastHour();

    assertThat(hour).hasSize(60);
    assertThat(hour.get(59).minute()).isEqualTo(T0.plusSeconds(60));
    Activity.Minute first = hour.get(58);
    assertThat(first.minute()).isEqualTo(T0);
    assertThat(first.answered()).isEqualTo(3);
    assertThat(first.violations()).isEqualTo(1);
    assertThat(first.joulesByCategory()).containsEntry("math", 15.0).containsEntry("code", 7.0);
    assertThat(first.ttftP50Ms()).isEqualTo(40.0);
    Activity.Minute second = hour.get(59);
    assertThat(second.unavailable()).isEqualTo(1);
    assertThat(second.overBudget()).isEqualTo(1);
    assertThat(second.clientGone()).isEqualTo(1);
    assertThat(second.ttftP50Ms()).isNull();
    assertThat(hour.get(0).answered()).isZero();
  }

  @Test
  void lastHour_minutesOlderThanAnHour_droppedAndQuietMinutesZero() {
    activity.recorded(decision(T0, "math", Decision.Outcome.ANSWERED, 10, false, null));
    clock.now = T0.plus(Duration.ofMinutes(61));

    List<Activity.Minute> hour = activity.lastHour();

    assertThat(hour).hasSize(60);
    assertThat(hour).allSatisfy(m -> assertThat(m.answered()).isZero());
    assertThat(hour.get(0).minute()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
  }
}
