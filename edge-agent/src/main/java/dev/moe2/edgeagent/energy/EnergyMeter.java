package dev.moe2.edgeagent.energy;

import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;

/**
 * The port to whatever tells the agent how much energy a request took. Every reading carries its
 * {@link EnergySource}, so a figure from a power rail is never mistaken for a prediction.
 */
public interface EnergyMeter extends AutoCloseable {

  EnergySource source();

  /** Opens a measurement window for one request (now). */
  Window begin();

  /**
   * Closes {@code window} and returns the energy attributed to its request. Sampling meters
   * integrate measured power over the window and share it between the windows open at the same
   * time; model-based meters use {@code work}.
   */
  EnergyReading end(Window window, Work work);

  /**
   * The energy attributed to {@code window}'s request so far, the window staying open: what {@link
   * #end} would return now. {@code work} is what the request has done so far. The agent asks before
   * each token of a request with an energy cap, so this must be cheap.
   */
  EnergyReading sofar(Window window, Work work);

  @Override
  void close();

  /**
   * A measurement window.
   *
   * @param id the meter's handle for it
   * @param startNanos when it opened ({@link System#nanoTime()} or the meter's clock)
   */
  record Window(long id, long startNanos) {}
}
