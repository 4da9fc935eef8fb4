package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an energy figure comes from: a measured rail, a counter, or a model. */
public enum EnergySource {
  TEGRASTATS("tegrastats"),
  NVML("nvml"),
  RAPL("rapl"),
  PROFILE("profile"),
  SIMULATED("simulated");

  private final String label;

  EnergySource(String label) {
    this.label = label;
  }

  /** The value as it appears in a payload. */
  @JsonValue
  public String label() {
    return label;
  }
}
