package dev.moe2.edgeagent.sim;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.ProfileMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.Joules;

/**
 * Energy of a simulated request: the mode's active power for the size class (the mode's maximum
 * power for a model the profile has no figures for) times the time the request kept the device
 * busy, with the device's noise. Labelled {@code simulated}.
 */
public final class SimulatedMeter implements EnergyMeter {

  private final SimulatedDevice device;

  public SimulatedMeter(SimulatedDevice device) {
    this.device = device;
  }

  @Override
  public EnergySource source() {
    return EnergySource.SIMULATED;
  }

  @Override
  public Window begin() {
    return new Window(0, System.nanoTime());
  }

  @Override
  public EnergyReading end(Window window, Work work) {
    double watts = ProfileMeter.activeWatts(device.deviceClass(), work.sizeClass(), device.mode());
    double joules = watts * work.busy().toNanos() / 1e9 * device.noise();
    return new EnergyReading(Joules.of(joules), source());
  }

  @Override
  public void close() {}
}
