package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The author of a chat message. */
public enum ChatRole {
  SYSTEM("system"),
  USER("user"),
  ASSISTANT("assistant");

  private final String label;

  ChatRole(String label) {
    this.label = label;
  }

  /** The value as it appears in a payload. */
  @JsonValue
  public String label() {
    return label;
  }
}
