package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.moe2.protocol.internal.Checks;

/** A model's id, e.g. {@code zephyr-7b-beta}; with an agent it names one expert. */
public record ModelId(@JsonValue String value) implements Comparable<ModelId> {

  public ModelId {
    Checks.segment(value, "modelId");
  }

  @JsonCreator
  public static ModelId of(String value) {
    return new ModelId(value);
  }

  @Override
  public int compareTo(ModelId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
