package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether an agent is serving; the last will publishes {@link #OFFLINE}. */
public enum AgentStatus {
  ONLINE("online"),
  OFFLINE("offline");

  private final String label;

  AgentStatus(String label) {
    this.label = label;
  }

  /** The value as it appears in a payload. */
  @JsonValue
  public String label() {
    return label;
  }
}
