package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.moe2.protocol.internal.Checks;

/** An orchestrator replica's id; its replies arrive under it. */
public record OrchestratorId(@JsonValue String value) implements Comparable<OrchestratorId> {

  public OrchestratorId {
    Checks.segment(value, "orchestratorId");
  }

  @JsonCreator
  public static OrchestratorId of(String value) {
    return new OrchestratorId(value);
  }

  @Override
  public int compareTo(OrchestratorId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
