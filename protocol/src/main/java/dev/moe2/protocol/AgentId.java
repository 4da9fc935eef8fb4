package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.moe2.protocol.internal.Checks;

/** An edge agent's id; also its MQTT client id and the topic level under which it publishes. */
public record AgentId(@JsonValue String value) implements Comparable<AgentId> {

  public AgentId {
    Checks.segment(value, "agentId");
  }

  @JsonCreator
  public static AgentId of(String value) {
    return new AgentId(value);
  }

  @Override
  public int compareTo(AgentId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
