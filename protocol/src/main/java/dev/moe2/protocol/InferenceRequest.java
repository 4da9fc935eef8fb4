package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A request to one expert (a model on one agent). On MQTT 5 it also travels with a message expiry
 * equal to the time left to its deadline, a response topic equal to {@code replyTo} and correlation
 * data equal to the request id (see {@link Topic#REPLIES}).
 *
 * @param requestId unique per orchestrator; a redelivered id is not run twice
 * @param attempt 1 for the first dispatch, 2 for the one re-dispatch the failure rules allow
 * @param agentId the agent
 * @param modelId the model on it
 * @param messages the chat prompt
 * @param params generation parameters
 * @param issuedAt when the orchestrator sent it
 * @param deadline when the answer must have arrived; past it the agent stops and replies with
 *     {@link ErrorCode#DEADLINE_EXCEEDED}
 * @param replyTo the topic to publish the reply or error on
 * @param energyCapJ optional: the most energy this dispatch may spend (its share of the request's
 *     energy budget); the agent refuses with {@link ErrorCode#OVER_BUDGET} when the prefill alone
 *     would not fit and otherwise stops generating before the metered energy would pass it ({@link
 *     FinishReason#ENERGY_CAP}); absent: no cap but the deadline and {@code maxTokens}
 * @param stream optional: {@code true} asks the agent to publish the answer's text as it is
 *     generated, in {@link PartialOutput}s on {@code replyTo} before the {@link InferenceReply};
 *     absent or {@code false}: only the reply
 */
public record InferenceRequest(
    @JsonProperty(required = true) RequestId requestId,
    @JsonProperty(required = true) int attempt,
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) ModelId modelId,
    @JsonProperty(required = true) List<ChatMessage> messages,
    @JsonProperty(required = true) GenerationParams params,
    @JsonProperty(required = true) Instant issuedAt,
    @JsonProperty(required = true) Instant deadline,
    @JsonProperty(required = true) String replyTo,
    Joules energyCapJ,
    Boolean stream)
    implements Message {

  /** A request with an energy cap (or none), not streamed. */
  public InferenceRequest(
      RequestId requestId,
      int attempt,
      AgentId agentId,
      ModelId modelId,
      List<ChatMessage> messages,
      GenerationParams params,
      Instant issuedAt,
      Instant deadline,
      String replyTo,
      Joules energyCapJ) {
    this(
        requestId,
        attempt,
        agentId,
        modelId,
        messages,
        params,
        issuedAt,
        deadline,
        replyTo,
        energyCapJ,
        null);
  }

  /** A request without an energy cap. */
  public InferenceRequest(
      RequestId requestId,
      int attempt,
      AgentId agentId,
      ModelId modelId,
      List<ChatMessage> messages,
      GenerationParams params,
      Instant issuedAt,
      Instant deadline,
      String replyTo) {
    this(requestId, attempt, agentId, modelId, messages, params, issuedAt, deadline, replyTo, null);
  }

  public InferenceRequest {
    Checks.notNull(requestId, "requestId");
    Checks.positive(attempt, "attempt");
    Checks.notNull(agentId, "agentId");
    Checks.notNull(modelId, "modelId");
    messages = Checks.nonEmptyList(messages, "messages");
    Checks.notNull(params, "params");
    Checks.notNull(issuedAt, "issuedAt");
    Checks.notNull(deadline, "deadline");
    if (!deadline.isAfter(issuedAt)) {
      throw new IllegalArgumentException(
          "field 'deadline' has value " + deadline + ": it must be after issuedAt " + issuedAt);
    }
    stream = Boolean.TRUE.equals(stream) ? Boolean.TRUE : null;
    if (energyCapJ != null && !(energyCapJ.value() > 0)) {
      throw new IllegalArgumentException(
          "field 'energyCapJ' has value " + energyCapJ.value() + ": it must be > 0 when present");
    }
    Topic parsed = Topic.parse(Checks.notBlank(replyTo, "replyTo"));
    if (parsed.kind() != Topic.Kind.REPLIES || !parsed.agentId().equals(agentId)) {
      throw new IllegalArgumentException(
          "field 'replyTo' has value '"
              + replyTo
              + "': it must be a replies topic for agent "
              + agentId
              + " (moe2/v1/orchestrators/{orchestratorId}/replies/"
              + agentId
              + ")");
    }
  }

  /**
   * The MQTT 5 Message Expiry Interval to publish this request with at {@code now}: the time left
   * to the deadline in whole seconds, rounded up, at least 1 and at most {@link
   * #MAX_EXPIRY_SECONDS}. A broker may therefore deliver it up to a second after its deadline; the
   * agent checks {@link #deadline()} itself.
   */
  public long messageExpirySeconds(Instant now) {
    long millis = remaining(now).toMillis();
    return Math.min(MAX_EXPIRY_SECONDS, Math.max(1, (millis + 999) / 1000));
  }

  /** The largest MQTT 5 Message Expiry Interval (a four-byte integer), seconds. */
  public static final long MAX_EXPIRY_SECONDS = 0xFFFF_FFFFL;

  /** This request with an energy cap ({@code null}: none). */
  public InferenceRequest withEnergyCap(Joules cap) {
    return new InferenceRequest(
        requestId, attempt, agentId, modelId, messages, params, issuedAt, deadline, replyTo, cap,
        stream);
  }

  /** This request, streamed or not. */
  public InferenceRequest withStream(boolean on) {
    return new InferenceRequest(
        requestId,
        attempt,
        agentId,
        modelId,
        messages,
        params,
        issuedAt,
        deadline,
        replyTo,
        energyCapJ,
        on);
  }

  /** Whether the answer is to be streamed in {@link PartialOutput}s. */
  public boolean streamed() {
    return Boolean.TRUE.equals(stream);
  }

  /** Time left until the deadline at {@code now}; zero when it has passed. */
  public Duration remaining(Instant now) {
    Duration left = Duration.between(now, deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
