package dev.moe2.optimizer;

import java.util.List;

/**
 * One device's part of a plan: its power mode and resident models, or off.
 *
 * @param deviceId the device
 * @param modeId its power mode; {@code null} when it runs nothing
 * @param models the resident models, sorted by id
 */
public record DevicePlan(String deviceId, String modeId, List<String> models) {
  public DevicePlan {
    models = List.copyOf(models);
  }

  public boolean on() {
    return modeId != null;
  }
}
