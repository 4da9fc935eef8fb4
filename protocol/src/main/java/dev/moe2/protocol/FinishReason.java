package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why generation stopped: as in the OpenAI chat API, plus {@code energy-cap} (only ever in answer
 * to a request that carried an {@code energyCapJ}, so an orchestrator that sends none never sees
 * it).
 */
public enum FinishReason {
  /** An end-of-sequence token or a stop string. */
  STOP("stop"),
  /** {@code maxTokens} reached. */
  LENGTH("length"),
  /** Generation stopped before the metered energy would pass the request's {@code energyCapJ}. */
  ENERGY_CAP("energy-cap"),
  /** Generation stopped before the token that would finish after the request's deadline. */
  DEADLINE("deadline");

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
