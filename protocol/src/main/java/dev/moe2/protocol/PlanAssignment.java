package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * The orchestrator's desired state for one agent (its part of the plan, method.md §3): the power
 * mode to run and the models to keep resident. Retained, so a reconnecting agent gets it at once.
 * The agent answers by publishing an {@link AgentState} with the same {@code planVersion}.
 *
 * @param agentId the agent
 * @param planVersion grows with every new plan; an agent ignores a version it has already applied
 * @param powerMode the power mode to set
 * @param residentModels the models to keep loaded; others are unloaded
 * @param issuedAt when the orchestrator made it
 */
public record PlanAssignment(
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) long planVersion,
    @JsonProperty(required = true) String powerMode,
    @JsonProperty(required = true) List<ModelId> residentModels,
    @JsonProperty(required = true) Instant issuedAt)
    implements Message {

  public PlanAssignment {
    Checks.notNull(agentId, "agentId");
    Checks.positive(planVersion, "planVersion");
    Checks.notBlank(powerMode, "powerMode");
    residentModels =
        Checks.listOrEmpty(Checks.notNull(residentModels, "residentModels"), "residentModels");
    Checks.notNull(issuedAt, "issuedAt");
  }
}
