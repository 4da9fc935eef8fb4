package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.time.Instant;

/**
 * A piece of a streamed answer ({@link InferenceRequest#stream()}), published on the request's
 * {@code replyTo} while the expert generates. The pieces of one answer, in {@code seq} order,
 * concatenate to a prefix of the {@link InferenceReply}'s {@code text}, which follows them and is
 * authoritative: a receiver that missed a piece takes the rest from the reply. An agent sends the
 * first piece as soon as the first token is decoded, then at most one piece per {@link
 * #MIN_INTERVAL_MS} ms per request, each at most {@link #MAX_TEXT_CHARS} characters (more text
 * waiting goes in the next piece at once).
 *
 * @param requestId the request
 * @param agentId the agent
 * @param modelId the expert generating
 * @param seq 0 for the first piece of this dispatch, then 1, 2, ... (a repeated seq is a
 *     redelivery)
 * @param offset characters of the answer before this piece (the sum of the previous pieces'
 *     lengths)
 * @param text the new text
 * @param tokens tokens generated so far, this piece's included
 * @param sentAt when the agent sent it
 */
public record PartialOutput(
    @JsonProperty(required = true) RequestId requestId,
    @JsonProperty(required = true) AgentId agentId,
    @JsonProperty(required = true) ModelId modelId,
    @JsonProperty(required = true) int seq,
    @JsonProperty(required = true) int offset,
    @JsonProperty(required = true) String text,
    @JsonProperty(required = true) int tokens,
    @JsonProperty(required = true) Instant sentAt)
    implements Message {

  /** The most characters of text one piece carries. */
  public static final int MAX_TEXT_CHARS = 1024;

  /** The least time between two pieces of one answer, milliseconds (the first goes at once). */
  public static final int MIN_INTERVAL_MS = 50;

  public PartialOutput {
    Checks.notNull(requestId, "requestId");
    Checks.notNull(agentId, "agentId");
    Checks.notNull(modelId, "modelId");
    Checks.nonNegative(seq, "seq");
    Checks.nonNegative(offset, "offset");
    Checks.notNull(text, "text");
    if (text.isEmpty() || text.length() > MAX_TEXT_CHARS) {
      throw new IllegalArgumentException(
          "field 'text' has "
              + text.length()
              + " characters: a piece carries 1 to "
              + MAX_TEXT_CHARS);
    }
    Checks.positive(tokens, "tokens");
    Checks.notNull(sentAt, "sentAt");
  }
}
