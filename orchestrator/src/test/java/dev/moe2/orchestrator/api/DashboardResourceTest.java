package dev.moe2.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.ProfileReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code /api/fleet} shows of an agent's profile: the agent's figures in the contract's units.
 */
class DashboardResourceTest {

  @Test
  void contractJson_profile_millisecondsUnderMsNamesAsTheAgentSentThem() {
    Instant t = Instant.parse("2026-11-29T08:00:00Z");
    ProfileReport p =
        new ProfileReport(
            AgentId.of("orin-a"),
            1,
            "maxn",
            t,
            t.plusSeconds(30),
            null,
            List.of(
                new ExpertProfile(
                    ModelId.of("zephyr-7b-beta"),
                    3,
                    Duration.ofNanos(9_250_000),
                    Duration.ofNanos(1_250_000),
                    Duration.ofNanos(2_500_000),
                    Duration.ofNanos(18_457_000),
                    Duration.ofNanos(20_000_000),
                    Duration.ofNanos(21_000_000),
                    Joules.of(4.5),
                    Joules.of(0.28),
                    EnergySource.SIMULATED)));

    JsonNode e = DashboardResource.contractJson(p).path("experts").get(0);

    assertThat(e.path("latencyP50Ms").doubleValue()).isEqualTo(18.457);
    assertThat(e.path("ttftP50Ms").doubleValue()).isEqualTo(9.25);
    assertThat(e.path("decodePerTokenMs").doubleValue()).isEqualTo(2.5);
    assertThat(e.path("energyPerRequestJ").doubleValue()).isEqualTo(4.5);
    assertThat(DashboardResource.contractJson(p).path("windowEnd").asText())
        .isEqualTo("2026-11-29T08:00:30Z");
  }
}
