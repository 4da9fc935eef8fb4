package dev.moe2.edgeagent.sim;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.energy.ProfileMeter;
import dev.moe2.edgeagent.energy.Work;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.Joules;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Energy of a simulated request: the mode's active power for the size class (the mode's maximum
 * power for a model the profile has no figures for) times the time the request kept the device
 * busy, with the device's noise (drawn once per request, so the energy so far and at the end agree
 * and grow with the busy time). Labelled {@code simulated}.
 */
public final class SimulatedMeter implements EnergyMeter {

  private final SimulatedDevice device;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Double> noise = new ConcurrentHashMap<>();

  public SimulatedMeter(SimulatedDevice device) {
    this.device = device;
  }

  @Override
  public EnergySource source() {
    return EnergySource.SIMULATED;
  }

  @Override
  public Window begin() {
    long id = ids.incrementAndGet();
    noise.put(id, device.noise());
    return new Window(id, System.nanoTime());
  }

  @Override
  public EnergyReading sofar(Window window, Work work) {
    return reading(noise.getOrDefault(window.id(), 1.0), work);
  }

  @Override
  public EnergyReading end(Window window, Work work) {
    Double n = noise.remove(window.id());
    return reading(n == null ? 1.0 : n, work);
  }

  private EnergyReading reading(double noiseFactor, Work work) {
    double watts = ProfileMeter.activeWatts(device.deviceClass(), work.sizeClass(), device.mode());
    return new EnergyReading(
        Joules.of(watts * work.busy().toNanos() / 1e9 * noiseFactor), source());
  }

  @Override
  public void close() {}
}
