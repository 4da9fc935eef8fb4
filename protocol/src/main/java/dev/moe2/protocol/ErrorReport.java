package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;

/**
 * A structured error from an agent: on the replies topic when it answers a request, on the agent's
 * errors topic when it cannot be tied to one (e.g. a request too malformed to read its id).
 *
 * @param requestId the request it answers; {@code null} when none could be read
 * @param agentId the agent
 * @param modelId the model concerned; optional
 * @param code stable error code
 * @param message human-readable detail naming what was wrong
 * @param retryable whether the same request may succeed elsewhere or later
 * @param occurredAt when it happened
 */
public record ErrorReport(
    RequestId requestId,
    @JsonProperty(required = true) AgentId agentId,
    ModelId modelId,
    @JsonProperty(required = true) ErrorCode code,
    @JsonProperty(required = true) String message,
    @JsonProperty(required = true) boolean retryable,
    @JsonProperty(required = true) Instant occurredAt)
    implements Message {

  public ErrorReport {
    Checks.notNull(agentId, "agentId");
    Checks.notNull(code, "code");
    Checks.notBlank(message, "message");
    Checks.notNull(occurredAt, "occurredAt");
  }
}
