package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;

/** Energy of one request, labelled with where it comes from. */
public record EnergyReading(
    @JsonProperty(value = "joules", required = true) Joules joules,
    @JsonProperty(required = true) EnergySource source) {

  public EnergyReading {
    Checks.notNull(joules, "energy.joules");
    Checks.notNull(source, "energy.source");
  }
}
