package dev.moe2.edgeagent.energy;

import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.Joules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Linux powercap (Intel/AMD RAPL): the package's cumulative energy counter {@code energy_uj}, read
 * when a window opens and closes; a counter that wrapped is corrected with {@code
 * max_energy_range_uj}. Concurrent windows share the energy equally (by the number open at the
 * end). Reading needs read access to the files (root on recent kernels).
 */
public final class RaplMeter implements EnergyMeter {

  private final Path zone;
  private final long range;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<Long, Long> startCounter = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /**
   * @param zone e.g. {@code /sys/class/powercap/intel-rapl:0}
   * @throws MeterException when the zone or its counter cannot be read
   */
  public RaplMeter(Path zone) {
    this.zone = zone;
    this.range = read("max_energy_range_uj");
    read("energy_uj");
  }

  private long read(String file) {
    Path p = zone.resolve(file);
    try {
      return Long.parseLong(Files.readString(p).trim());
    } catch (IOException | NumberFormatException e) {
      throw new MeterException(
          "cannot read the RAPL counter "
              + p
              + " ("
              + e.getMessage()
              + "); is powercap present and readable by this user?",
          e);
    }
  }

  @Override
  public EnergySource source() {
    return EnergySource.RAPL;
  }

  @Override
  public Window begin() {
    open.incrementAndGet();
    long id = ids.incrementAndGet();
    startCounter.put(id, read("energy_uj"));
    return new Window(id, System.nanoTime());
  }

  @Override
  public EnergyReading end(Window window, Work work) {
    long now = read("energy_uj");
    Long start = startCounter.remove(window.id());
    int sharing = Math.max(1, open.getAndDecrement());
    if (start == null) {
      throw new IllegalArgumentException("window " + window + " was not opened by this meter");
    }
    long delta = now >= start ? now - start : now + range - start;
    return new EnergyReading(Joules.of(delta / 1e6 / sharing), source());
  }

  @Override
  public EnergyReading sofar(Window window, Work work) {
    long now = read("energy_uj");
    Long start = startCounter.get(window.id());
    if (start == null) {
      throw new IllegalArgumentException("window " + window + " is not open on this meter");
    }
    long delta = now >= start ? now - start : now + range - start;
    return new EnergyReading(Joules.of(delta / 1e6 / Math.max(1, open.get())), source());
  }

  @Override
  public void close() {}
}
