package dev.moe2.edgeagent.config;

import java.util.List;

/** The energy meters an agent can use ({@code energy.meter}), listed once. */
public enum EnergyMeterKind implements Labelled {
  /** Jetson: the VDD rails of {@code tegrastats}. */
  TEGRASTATS("tegrastats", "tegrastats"),
  /** NVIDIA dGPU: {@code nvidia-smi} power draw. */
  NVIDIA_SMI("nvidia-smi", "nvidia-smi"),
  /** Intel/AMD CPU package energy from powercap. */
  RAPL("rapl", null),
  /** No meter: the device profile's active power × time. */
  PROFILE("profile", null),
  /** The simulated device (simulator, tests). */
  SIMULATED("simulated", null);

  private final String label;
  private final String defaultCommand;

  EnergyMeterKind(String label, String defaultCommand) {
    this.label = label;
    this.defaultCommand = defaultCommand;
  }

  @Override
  public String label() {
    return label;
  }

  /** The command run when the config names none. */
  public List<String> defaultCommand() {
    return List.of(defaultCommand == null ? "tegrastats" : defaultCommand);
  }

  /**
   * @throws ConfigException naming {@code energy.meter} and the allowed values
   */
  public static EnergyMeterKind parse(String value) {
    return Labelled.parse(EnergyMeterKind.class, "energy.meter", value, PROFILE);
  }
}
