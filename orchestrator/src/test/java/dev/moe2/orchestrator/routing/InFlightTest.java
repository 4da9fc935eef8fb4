package dev.moe2.orchestrator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.moe2.protocol.testing.MovingClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Slots per agent and the predicted wait for one, on a clock that moves only when told. */
class InFlightTest {

  static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  /** A deadline far away. */
  static final Instant FAR = T0.plusSeconds(60);

  final MovingClock clock = new MovingClock(T0);
  final InFlight inFlight = new InFlight();

  @Test
  void queueS_freeSlot_isZero() {
    inFlight.tryAcquire("orin-1", 2, 1.0, FAR, null, clock);

    assertThat(inFlight.queueS("orin-1", 2, T0)).isZero();
    assertThat(inFlight.queueS("rtx-1", 2, T0)).as("an agent never used").isZero();
  }

  @Test
  void queueS_allSlotsTaken_isTheTimeToTheEarliestPredictedEnd() {
    inFlight.tryAcquire("orin-1", 2, 3.0, FAR, null, clock);
    InFlight.Slot shortOne = inFlight.tryAcquire("orin-1", 2, 1.0, FAR, null, clock);

    assertThat(inFlight.queueS("orin-1", 2, T0)).isCloseTo(1.0, within(1e-9));
    assertThat(inFlight.queueS("orin-1", 2, T0.plusMillis(400))).isCloseTo(0.6, within(1e-9));
    inFlight.release(shortOne);
    assertThat(inFlight.queueS("orin-1", 2, T0)).isZero();
  }

  @Test
  void queueS_runningDispatchOverdue_countsUntilTheLatestItCanHoldOn() {
    inFlight.tryAcquire("orin-1", 1, 1.0, T0.plusSeconds(3), null, clock);

    assertThat(inFlight.queueS("orin-1", 1, T0.plusMillis(500))).isCloseTo(0.5, within(1e-9));
    assertThat(inFlight.queueS("orin-1", 1, T0.plusMillis(1500)))
        .as("past its predicted end: it may hold the slot until its deadline")
        .isCloseTo(1.5, within(1e-9));
  }

  @Test
  void tryAcquire_allSlotsTaken_returnsNull() {
    inFlight.tryAcquire("orin-1", 1, 1.0, FAR, null, clock);

    assertThat(inFlight.tryAcquire("orin-1", 1, 1.0, FAR, null, clock)).isNull();
    assertThat(inFlight.load("orin-1")).isEqualTo(1);
    assertThat(inFlight.waiting("orin-1")).isZero();
  }

  @Test
  void tryAcquire_slotFreed_goesToTheQueuesHeadNotToANewcomer() {
    InFlight.Slot first = inFlight.tryAcquire("orin-1", 1, 2.0, FAR, null, clock);
    InFlight.Ticket head = inFlight.enqueue("orin-1");
    InFlight.Ticket next = inFlight.enqueue("orin-1");

    // two waiting ahead: a newcomer waits for the running one (2 s) and two more rounds (2 s each)
    assertThat(inFlight.queueS("orin-1", 1, T0)).isCloseTo(6.0, within(1e-9));
    assertThat(inFlight.tryAcquire("orin-1", 1, 5.0, FAR, head, clock)).as("still taken").isNull();
    inFlight.release(first);

    assertThat(inFlight.tryAcquire("orin-1", 1, 1.0, FAR, null, clock)).as("a newcomer").isNull();
    assertThat(inFlight.tryAcquire("orin-1", 1, 1.0, FAR, next, clock))
        .as("second in line")
        .isNull();
    assertThat(inFlight.tryAcquire("orin-1", 1, 5.0, FAR, head, clock)).isNotNull();
    assertThat(inFlight.waiting("orin-1")).isEqualTo(1);
    inFlight.leave(next);
    assertThat(inFlight.waiting("orin-1")).isZero();
    assertThat(inFlight.queueS("orin-1", 1, T0)).isCloseTo(5.0, within(1e-9));
  }
}
