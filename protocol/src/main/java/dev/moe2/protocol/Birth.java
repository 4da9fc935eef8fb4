package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * The retained capability message an agent publishes on every connect.
 *
 * @param agentId the agent, also its MQTT client id
 * @param incarnation grows with every start of the agent (e.g. its start time in ms); a state or
 *     last will of an older incarnation never overrides a newer birth
 * @param deviceClass the device-profiles class, e.g. {@code jetson-agx-orin-64gb}
 * @param powerMode the power mode it runs now, e.g. {@code maxn}
 * @param memoryMiB memory available to models
 * @param experts the models it can serve
 * @param softwareVersion the agent's version
 * @param profileId the profile its predictions start from, e.g. {@code jetson-agx-orin-64gb}
 * @param timestamp when it was published
 * @param maxConcurrent optional: the requests it runs at once; beyond them it answers {@code
 *     overloaded} (orchestrators queue for a slot instead of sending more)
 */
public record Birth(
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) long incarnation,
    @JsonProperty(required = true) String deviceClass,
    @JsonProperty(required = true) String powerMode,
    @JsonProperty(required = true) long memoryMiB,
    @JsonProperty(required = true) List<HostedExpert> experts,
    @JsonProperty(required = true) String softwareVersion,
    @JsonProperty(required = true) String profileId,
    @JsonProperty(required = true) Instant timestamp,
    Integer maxConcurrent)
    implements Message {

  /** A birth that does not say how many requests the agent runs at once. */
  public Birth(
      AgentId agentId,
      long incarnation,
      String deviceClass,
      String powerMode,
      long memoryMiB,
      List<HostedExpert> experts,
      String softwareVersion,
      String profileId,
      Instant timestamp) {
    this(
        agentId,
        incarnation,
        deviceClass,
        powerMode,
        memoryMiB,
        experts,
        softwareVersion,
        profileId,
        timestamp,
        null);
  }

  public Birth {
    Checks.notNull(agentId, "agentId");
    Checks.positive(incarnation, "incarnation");
    Checks.notBlank(deviceClass, "deviceClass");
    Checks.notBlank(powerMode, "powerMode");
    Checks.positive(memoryMiB, "memoryMiB");
    experts = Checks.listOrEmpty(Checks.notNull(experts, "experts"), "experts");
    Checks.notBlank(softwareVersion, "softwareVersion");
    Checks.notBlank(profileId, "profileId");
    Checks.notNull(timestamp, "timestamp");
    if (maxConcurrent != null) {
      Checks.positive(maxConcurrent, "maxConcurrent");
    }
  }
}
