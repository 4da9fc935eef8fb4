package dev.moe2.edgeagent.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ModelId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProfilerTest {

  private static final ModelId M = ModelId.of("zephyr-7b-beta");

  private static Profiler.Sample sample(double decodeMs, long totalMs) {
    return new Profiler.Sample(
        M,
        Duration.ofMillis(100),
        Duration.ofMillis(1),
        Duration.ofNanos((long) (decodeMs * 1e6)),
        Duration.ofMillis(totalMs),
        16,
        10,
        EnergySource.TEGRASTATS);
  }

  @Test
  void drain_afterSamples_percentilesEwmaAndSource() {
    Profiler p = new Profiler(0.5, 0.2, 3);
    for (int i = 1; i <= 100; i++) {
      p.record(sample(40, i * 10L));
    }
    var report = p.drain();

    assertThat(report).hasSize(1);
    var e = report.get(0);
    assertThat(e.samples()).isEqualTo(100);
    assertThat(e.latencyP50().toMillis()).isBetween(495L, 505L);
    assertThat(e.latencyP99().toMillis()).isBetween(985L, 1001L);
    assertThat(e.decodePerToken().toNanos() / 1e6)
        .isCloseTo(40, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(e.energySource()).isEqualTo(EnergySource.TEGRASTATS);
    assertThat(p.drain()).as("a new window starts empty").isEmpty();
  }

  @Test
  void record_throttlingSlowsDecode_reportsDriftAfterMinSamples() {
    Profiler p = new Profiler(0.5, 0.2, 4);
    assertThat(p.record(sample(40, 500))).isFalse();
    assertThat(p.record(sample(40, 500))).isFalse();
    assertThat(p.record(sample(60, 700))).as("3 samples in the window < minSamples 4").isFalse();
    assertThat(p.record(sample(60, 700))).as("EWMA 55 ms vs baseline 40 ms: +37 %").isTrue();
    p.drain();
    assertThat(p.record(sample(60, 700))).as("the baseline moved to the drained value").isFalse();
  }

  @Test
  void measured_deviceSuddenlySlower_judgedByItsLatestRequestAtOnce() {
    Profiler p = new Profiler(0.1, 0.2, 4);
    assertThat(p.measured(M)).as("nothing measured yet").isEmpty();
    for (int i = 0; i < 10; i++) {
      p.record(sample(40, 500)); // 10 J in 0.5 s: 20 W
    }
    assertThat(p.measured(M).orElseThrow().decodeS()).isCloseTo(0.040, within(1e-9));

    p.record(sample(120, 1500)); // throttled: 3x slower, 10 J in 1.5 s

    Profiler.Measured m = p.measured(M).orElseThrow();
    assertThat(m.decodeS()).as("the latest, not the EWMA's 48 ms").isCloseTo(0.120, within(1e-9));
    assertThat(m.watts()).as("the EWMA: the latest draws less").isCloseTo(20 - 1.333, within(0.01));
    p.record(sample(40, 500));
    assertThat(p.measured(M).orElseThrow().decodeS())
        .as("the EWMA keeps the slow one in mind")
        .isCloseTo(0.9 * 0.048 + 0.1 * 0.040, within(1e-9));
  }
}
