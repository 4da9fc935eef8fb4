package dev.moe2.optimizer;

/**
 * A power mode of a device.
 *
 * @param id e.g. {@code 30w}, {@code maxn}, {@code pl300}
 * @param maxPowerW the most the device draws in this mode (counted against the site power cap)
 */
public record ModeSpec(String id, double maxPowerW) {
  public ModeSpec {
    Checks.id(id, "mode.id");
    Checks.positive(maxPowerW, "mode.maxPowerW");
  }
}
