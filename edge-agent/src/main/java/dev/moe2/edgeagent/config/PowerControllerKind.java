package dev.moe2.edgeagent.config;

import java.util.List;

/** The power controllers an agent can use ({@code power.controller}), listed once. */
public enum PowerControllerKind implements Labelled {
  /** Jetson: {@code nvpmodel -m <id>}. */
  NVPMODEL("nvpmodel", "nvpmodel"),
  /** NVIDIA dGPU: {@code nvidia-smi -pl <watts>}. */
  NVIDIA_SMI("nvidia-smi", "nvidia-smi"),
  /** The simulated device's mode (simulator, tests). */
  SIMULATED("simulated", null),
  /** The mode is fixed; plans that change it are refused. */
  NONE("none", null);

  private final String label;
  private final String defaultCommand;

  PowerControllerKind(String label, String defaultCommand) {
    this.label = label;
    this.defaultCommand = defaultCommand;
  }

  @Override
  public String label() {
    return label;
  }

  /** The command run when the config names none ({@code nvpmodel} or {@code nvidia-smi}). */
  public List<String> defaultCommand() {
    return List.of(defaultCommand == null ? "nvpmodel" : defaultCommand);
  }

  /**
   * @throws ConfigException naming {@code power.controller} and the allowed values
   */
  public static PowerControllerKind parse(String value) {
    return Labelled.parse(PowerControllerKind.class, "power.controller", value, NONE);
  }
}
