package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;

/**
 * The orchestrator withdraws a request (its client went away): the agent stops generating it
 * between two tokens, so no more energy goes into an answer nobody reads, and answers the request
 * with an {@link ErrorReport} {@link ErrorCode#CANCELLED} (or not at all when it had already
 * answered). A cancel for a request the agent does not know, or has finished, is ignored.
 *
 * @param requestId the request
 * @param agentId the agent asked to stop
 * @param modelId the expert to stop; absent: every expert of the request on this agent
 * @param reason why, for the agent's log
 * @param sentAt when the orchestrator sent it
 */
public record CancelRequest(
    @JsonProperty(required = true) RequestId requestId,
    @JsonProperty(required = true) AgentId agentId,
    ModelId modelId,
    @JsonProperty(required = true) String reason,
    @JsonProperty(required = true) Instant sentAt)
    implements Message {

  public CancelRequest {
    Checks.notNull(requestId, "requestId");
    Checks.notNull(agentId, "agentId");
    Checks.notBlank(reason, "reason");
    if (reason.length() > 256) {
      throw new IllegalArgumentException(
          "field 'reason' has " + reason.length() + " characters: at most 256");
    }
    Checks.notNull(sentAt, "sentAt");
  }

  /** Whether it withdraws the dispatch of {@code model}. */
  public boolean covers(ModelId model) {
    return modelId == null || modelId.equals(model);
  }
}
