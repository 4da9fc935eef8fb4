package dev.moe2.edgeagent.energy;

import dev.moe2.profiles.DeviceClass;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.Joules;
import java.util.function.Supplier;

/**
 * Where nothing measures power: the device profile's active power for the current mode and the
 * model's size class, times the time the request kept the device busy. Labelled {@code profile} so
 * it is never taken for a measurement.
 */
public final class ProfileMeter implements EnergyMeter {

  private final DeviceClass deviceClass;
  private final Supplier<String> mode;

  /**
   * @param mode the power mode in force (the power controller's applied mode)
   */
  public ProfileMeter(DeviceClass deviceClass, Supplier<String> mode) {
    this.deviceClass = deviceClass;
    this.mode = mode;
  }

  @Override
  public EnergySource source() {
    return EnergySource.PROFILE;
  }

  @Override
  public Window begin() {
    return new Window(0, System.nanoTime());
  }

  @Override
  public EnergyReading end(Window window, Work work) {
    double watts = activeWatts(deviceClass, work.sizeClass(), mode.get());
    return new EnergyReading(Joules.of(watts * work.busy().toNanos() / 1e9), source());
  }

  /** The same model as {@link #end}: active power times the busy time so far. */
  @Override
  public EnergyReading sofar(Window window, Work work) {
    return end(window, work);
  }

  /**
   * The active power of {@code sizeClass} in {@code mode}; for a size class without figures (a
   * small local model), the mode's maximum power, an upper bound.
   */
  public static double activeWatts(DeviceClass deviceClass, String sizeClass, String mode) {
    if (deviceClass.sizeClasses().contains(sizeClass)) {
      return deviceClass.performance(sizeClass, mode).activePowerW().value();
    }
    return deviceClass
        .mode(mode)
        .orElseThrow(
            () ->
                new MeterException("power mode " + mode + " is not a mode of " + deviceClass.id()))
        .maxPowerW()
        .value();
  }

  @Override
  public void close() {}
}
