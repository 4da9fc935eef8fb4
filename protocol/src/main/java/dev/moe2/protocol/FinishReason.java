package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why generation stopped, as in the OpenAI chat API. */
public enum FinishReason {
  STOP("stop"),
  LENGTH("length");

  private final String label;

  FinishReason(String label) {
    this.label = label;
  }

  /** The value as it appears in a payload. */
  @JsonValue
  public String label() {
    return label;
  }
}
