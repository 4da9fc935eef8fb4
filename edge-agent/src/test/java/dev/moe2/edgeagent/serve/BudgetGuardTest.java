package dev.moe2.edgeagent.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.testing.MovingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The admission arithmetic at its edges and the stop before the next token, with 10 W, 10 ms a
 * prompt token and 100 ms a generated token, on a clock that moves only when told.
 */
class BudgetGuardTest {

  static final Instant T0 = Instant.parse("2026-11-29T08:00:00Z");

  /** 10 W times the device time so far. */
  static final EnergyMeter TEN_WATTS =
      new EnergyMeter() {
        @Override
        public EnergySource source() {
          return EnergySource.SIMULATED;
        }

        @Override
        public Window begin() {
          return new Window(1, 0);
        }

        @Override
        public EnergyReading sofar(Window window, Work work) {
          return end(window, work);
        }

        @Override
        public EnergyReading end(Window window, Work work) {
          return new EnergyReading(Joules.of(10 * work.busy().toNanos() / 1e9), source());
        }

        @Override
        public void close() {}
      };

  private static final BudgetGuard.Rates RATES =
      new BudgetGuard.Rates(0.01, 0.1, 10, "device-profile");

  private final MovingClock clock = new MovingClock(T0);

  private BudgetGuard guard(Double capJ, double deadlineS) {
    return new BudgetGuard(
        capJ,
        T0.plusMillis((long) (deadlineS * 1000)),
        Optional.of(RATES),
        TEN_WATTS,
        "7b-q4",
        clock);
  }

  @Test
  void admit_prefillExactlyTheCap_admitsOneTokenCappedByEnergy() {
    // 10 W x (10 x 10 ms + 100 ms) = 2 J: the prefill with its first token
    BudgetGuard.Admission a = guard(2.0, 60).admit(10, 50);

    assertThat(a.refusal()).isNull();
    assertThat(a.maxTokens()).isEqualTo(1);
    assertThat(a.lowered()).isEqualTo(FinishReason.ENERGY_CAP);
  }

  @Test
  void admit_prefillJustOverTheCap_refusesNamingPromptRatesAndCap() {
    BudgetGuard.Admission a = guard(1.999, 60).admit(10, 50);

    assertThat(a.refusal()).contains("10 prompt tokens", "2.000 J", "device-profile", "1.999 J");
  }

  @Test
  void admit_roomForTokens_lowersMaxTokensToWhatFits() {
    // 2 J + 1 J per further token: 5.5 J leaves room for 3 more
    assertThat(guard(5.5, 60).admit(10, 50).maxTokens()).isEqualTo(4);
    assertThat(guard(5.0, 60).admit(10, 50).maxTokens()).as("budget exactly met").isEqualTo(4);
  }

  @Test
  void admit_deadlineNearerThanTheEnergyCap_lowersByTimeAndSaysDeadline() {
    // 0.2 s for the prefill and first token, 0.1 s a token: 0.55 s leaves room for 3 more
    BudgetGuard.Admission a = guard(100.0, 0.55).admit(10, 50);

    assertThat(a.maxTokens()).isEqualTo(4);
    assertThat(a.lowered()).isEqualTo(FinishReason.DEADLINE);
  }

  @Test
  void admit_prefillLongerThanTheTimeLeft_refusesNamingBoth() {
    BudgetGuard.Admission a = guard(null, 0.15).admit(10, 50);

    assertThat(a.refusal()).contains("0.200 s", "0.150 s left before the deadline");
  }

  @Test
  void admit_capAndDeadlineAboveWhatMaxTokensNeeds_keepsMaxTokens() {
    BudgetGuard.Admission a = guard(100.0, 60).admit(10, 50);

    assertThat(a.maxTokens()).isEqualTo(50);
    assertThat(a.lowered()).isNull();
  }

  @Test
  void admit_noRates_admitsUnchanged() {
    BudgetGuard.Admission a =
        new BudgetGuard(0.001, T0, Optional.empty(), TEN_WATTS, "x", clock).admit(10_000, 9);

    assertThat(a.maxTokens()).isEqualTo(9);
    assertThat(a.refusal()).isNull();
  }

  @Test
  void stopBefore_meteredEnergyOneTokenShortOfTheCap_stopsWithEnergyCap() {
    BudgetGuard g = guard(4.05, 60);
    g.started(TEN_WATTS.begin());

    // 10 W: 0.2 s = 2 J after the first token, then 1 J a token
    assertThat(g.stopBefore(10, 1, Duration.ofMillis(200))).isNull();
    assertThat(g.stopBefore(10, 2, Duration.ofMillis(300))).isNull();
    assertThat(g.stopBefore(10, 3, Duration.ofMillis(400))).isEqualTo(FinishReason.ENERGY_CAP);
  }

  @Test
  void stopBefore_nextTokenWouldFinishAfterTheDeadline_stopsWithDeadline() {
    BudgetGuard g = guard(null, 1.0);
    g.started(TEN_WATTS.begin());

    clock.now = T0.plusMillis(200);
    assertThat(g.stopBefore(10, 1, Duration.ofMillis(200))).isNull();
    clock.now = T0.plusMillis(500);
    assertThat(g.stopBefore(10, 2, Duration.ofMillis(500))).as("0.3 s a token seen").isNull();
    clock.now = T0.plusMillis(800);
    assertThat(g.stopBefore(10, 3, Duration.ofMillis(800))).isEqualTo(FinishReason.DEADLINE);
  }

  @Test
  void new_capNotPositive_rejectedNamingIt() {
    assertThatThrownBy(() -> guard(0.0, 1)).hasMessageContaining("energy cap must be > 0 J: 0.0");
  }
}
