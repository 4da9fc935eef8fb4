package dev.moe2.orchestrator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimingsTest {

  @Test
  void timings_negativePart_isRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                new RequestRouter.Timings(
                    Duration.ofMillis(4), Duration.ofMillis(-1), Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("select has value PT-0.001S");
  }

  @Test
  void between_clockSetBack_isZeroNotNegative() {
    Instant t = Instant.parse("2026-11-29T22:00:00Z");
    assertThat(RequestRouter.Timings.between(t, t.minusMillis(3))).isZero();
    assertThat(RequestRouter.Timings.between(t, t.plusMillis(3))).hasMillis(3);
  }
}
