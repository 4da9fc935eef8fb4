package dev.moe2.edgeagent.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Lines of {@code nvidia-smi --query-gpu=power.draw --format=csv[,noheader][,nounits]}: the header
 * {@code power.draw [W]}, values such as {@code 65.32 W} (with units) or {@code 65.32} (nounits),
 * one comma-separated value per GPU, and {@code [N/A]} / {@code [Not Supported]} on boards that
 * cannot report power (as documented in {@code nvidia-smi --help-query-gpu} and seen in public logs
 * of {@code nvidia-smi ... -lms} sampling).
 */
class NvidiaSmiParserTest {

  @Test
  void watts_nounitsValue_isWatts() {
    assertThat(NvidiaSmiParser.watts("287.45", 0).getAsDouble()).isCloseTo(287.45, within(1e-9));
  }

  @Test
  void watts_valueWithUnit_stripsTheUnit() {
    assertThat(NvidiaSmiParser.watts("65.32 W", 0).getAsDouble()).isCloseTo(65.32, within(1e-9));
  }

  @Test
  void watts_twoGpus_picksTheIndex() {
    assertThat(NvidiaSmiParser.watts("71.20, 301.77", 1).getAsDouble())
        .isCloseTo(301.77, within(1e-9));
    assertThat(NvidiaSmiParser.watts("71.20", 1)).isEmpty();
  }

  @Test
  void watts_headerOrUnsupported_isEmpty() {
    assertThat(NvidiaSmiParser.watts("power.draw [W]", 0)).isEmpty();
    assertThat(NvidiaSmiParser.watts("[N/A]", 0)).isEmpty();
    assertThat(NvidiaSmiParser.watts("[Not Supported]", 0)).isEmpty();
  }
}
