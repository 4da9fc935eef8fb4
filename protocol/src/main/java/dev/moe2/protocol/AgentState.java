package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * An agent's retained liveness and applied state. The agent publishes it online after its birth and
 * after applying a plan; its last will (and a clean shutdown) publishes it offline.
 *
 * @param agentId the agent
 * @param incarnation the incarnation of the birth this state belongs to
 * @param status online or offline
 * @param powerMode the power mode applied now; {@code null} when offline
 * @param residentModels the models loaded now (empty when offline)
 * @param planVersion the version of the last plan applied, 0 when none
 * @param reason why the state changed, e.g. {@code started}, {@code plan-applied}, {@code
 *     shutdown}, {@code connection-lost}; optional
 * @param timestamp when it was published (for a last will: when the agent connected)
 */
public record AgentState(
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) long incarnation,
    @JsonProperty(required = true) AgentStatus status,
    String powerMode,
    List<ModelId> residentModels,
    @JsonProperty(required = true) long planVersion,
    String reason,
    @JsonProperty(required = true) Instant timestamp)
    implements Message {

  public AgentState {
    Checks.notNull(agentId, "agentId");
    Checks.positive(incarnation, "incarnation");
    Checks.notNull(status, "status");
    if (status == AgentStatus.ONLINE) {
      Checks.notBlank(powerMode, "powerMode");
    }
    residentModels = Checks.listOrEmpty(residentModels, "residentModels");
    Checks.nonNegative(planVersion, "planVersion");
    Checks.notNull(timestamp, "timestamp");
  }

  /** The will an agent registers when it connects: offline, reason {@code connection-lost}. */
  public static AgentState lastWill(AgentId agentId, long incarnation, Instant connectedAt) {
    return new AgentState(
        agentId,
        incarnation,
        AgentStatus.OFFLINE,
        null,
        List.of(),
        0,
        "connection-lost",
        connectedAt);
  }

  /** Whether this state supersedes one of an earlier incarnation (never the other way round). */
  public boolean isNewerIncarnationThan(long otherIncarnation) {
    return incarnation > otherIncarnation;
  }
}
