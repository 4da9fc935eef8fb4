package dev.moe2.edgeagent.power;

import dev.moe2.profiles.DeviceClass;
import java.util.function.Consumer;

/**
 * {@code simulated}: records the mode and tells the simulated device; {@code none}: the operator
 * sets the mode by hand, so only the configured mode is accepted and anything else is refused.
 */
public final class FixedPowerController implements PowerController {

  private final String kind;
  private final DeviceClass deviceClass;
  private final Consumer<String> onChange;
  private volatile String current;

  private FixedPowerController(
      String kind, DeviceClass deviceClass, String initial, Consumer<String> onChange) {
    this.kind = kind;
    this.deviceClass = deviceClass;
    this.current = initial;
    this.onChange = onChange;
  }

  /** A simulated controller: any mode of the class, passed to {@code onChange}. */
  public static FixedPowerController simulated(
      DeviceClass deviceClass, String initial, Consumer<String> onChange) {
    return new FixedPowerController("simulated", deviceClass, initial, onChange);
  }

  /** No control: the device stays in {@code fixedMode}. */
  public static FixedPowerController none(DeviceClass deviceClass, String fixedMode) {
    return new FixedPowerController("none", deviceClass, fixedMode, null);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String current() {
    return current;
  }

  @Override
  public void apply(String modeId) {
    if (deviceClass.mode(modeId).isEmpty()) {
      throw new PowerControlException(
          "power mode '" + modeId + "' is not a mode of " + deviceClass.id());
    }
    if (onChange == null) {
      if (!modeId.equals(current)) {
        throw new PowerControlException(
            "power control is 'none': the device runs in "
                + current
                + " and cannot be switched to "
                + modeId
                + " by the agent");
      }
      return;
    }
    onChange.accept(modeId);
    current = modeId;
  }
}
