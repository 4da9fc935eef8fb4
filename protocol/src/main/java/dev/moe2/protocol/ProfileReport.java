package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * An agent's periodic latency and energy report, one entry per expert it serves.
 *
 * @param agentId the agent
 * @param incarnation the incarnation of the agent that measured it
 * @param powerMode the power mode during the window
 * @param windowStart start of the measurement window
 * @param windowEnd end of it
 * @param temperatureC the hottest thermal zone in degrees Celsius, when known; optional
 * @param experts the per-expert figures
 */
public record ProfileReport(
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) long incarnation,
    @JsonProperty(required = true) String powerMode,
    @JsonProperty(required = true) Instant windowStart,
    @JsonProperty(required = true) Instant windowEnd,
    Double temperatureC,
    @JsonProperty(required = true) List<ExpertProfile> experts)
    implements Message {

  public ProfileReport {
    Checks.notNull(agentId, "agentId");
    Checks.positive(incarnation, "incarnation");
    Checks.notBlank(powerMode, "powerMode");
    Checks.notNull(windowStart, "windowStart");
    Checks.notNull(windowEnd, "windowEnd");
    if (windowEnd.isBefore(windowStart)) {
      throw new IllegalArgumentException(
          "field 'windowEnd' has value " + windowEnd + ": it is before windowStart " + windowStart);
    }
    if (temperatureC != null) {
      Checks.inRange(temperatureC, -60, 150, "temperatureC");
    }
    experts = Checks.listOrEmpty(Checks.notNull(experts, "experts"), "experts");
  }
}
