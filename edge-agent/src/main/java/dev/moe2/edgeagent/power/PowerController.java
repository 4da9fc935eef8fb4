package dev.moe2.edgeagent.power;

/**
 * The port that sets the device's power mode: {@code nvpmodel -m ID} on a Jetson, {@code nvidia-smi
 * -pl WATTS} on a discrete GPU, a simulation, or nothing.
 */
public interface PowerController {

  /** {@code nvpmodel}, {@code nvidia-smi}, {@code simulated} or {@code none}. */
  String kind();

  /** The mode in force (as far as this controller knows). */
  String current();

  /**
   * Sets {@code modeId}, a power mode of the device class.
   *
   * @throws PowerControlException with the command's output when it cannot
   */
  void apply(String modeId);
}
