package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;

/** One message of a chat prompt. */
public record ChatMessage(
    @JsonProperty(required = true) ChatRole role, @JsonProperty(required = true) String content) {

  public ChatMessage {
    Checks.notNull(role, "role");
    Checks.notNull(content, "content");
  }
}
