package dev.moe2.optimizer;

/**
 * A model that can be made resident on a device.
 *
 * @param id e.g. {@code zephyr-7b-beta}
 * @param memoryGiB its memory footprint when resident
 */
public record ModelSpec(String id, double memoryGiB) {
  public ModelSpec {
    Checks.id(id, "model.id");
    Checks.positive(memoryGiB, "model.memoryGiB");
  }
}
