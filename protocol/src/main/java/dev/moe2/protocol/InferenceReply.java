package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;

/**
 * A successful answer from one expert; failures are {@link ErrorReport}s on the same topic.
 *
 * @param requestId the request answered; a second reply with the same id is a duplicate
 * @param agentId the agent
 * @param modelId the model that answered
 * @param text the generated text
 * @param promptTokens tokens in the prompt
 * @param completionTokens tokens generated
 * @param finishReason why generation stopped
 * @param latency measured latency
 * @param energy measured or modelled energy, with its source
 * @param powerMode the power mode it ran in
 * @param completedAt when the agent finished
 */
public record InferenceReply(
    @JsonProperty(required = true) RequestId requestId,
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) ModelId modelId,
    @JsonProperty(required = true) String text,
    @JsonProperty(required = true) int promptTokens,
    @JsonProperty(required = true) int completionTokens,
    @JsonProperty(required = true) FinishReason finishReason,
    @JsonProperty(required = true) Latency latency,
    @JsonProperty(required = true) EnergyReading energy,
    @JsonProperty(required = true) String powerMode,
    @JsonProperty(required = true) Instant completedAt)
    implements Message {

  public InferenceReply {
    Checks.notNull(requestId, "requestId");
    Checks.notNull(agentId, "agentId");
    Checks.notNull(modelId, "modelId");
    Checks.notNull(text, "text");
    Checks.nonNegative(promptTokens, "promptTokens");
    Checks.nonNegative(completionTokens, "completionTokens");
    Checks.notNull(finishReason, "finishReason");
    Checks.notNull(latency, "latency");
    Checks.notNull(energy, "energy");
    Checks.notBlank(powerMode, "powerMode");
    Checks.notNull(completedAt, "completedAt");
  }
}
