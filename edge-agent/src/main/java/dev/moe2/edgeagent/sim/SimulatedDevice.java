package dev.moe2.edgeagent.sim;

import dev.moe2.edgeagent.backend.Cancellation;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.Performance;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * The device a simulated agent pretends to be: its class from {@code device-profiles}, its current
 * power mode, a throttling factor (1 = none; 1.5 = every token takes 1.5 times as long, as when a
 * hot Jetson lowers its clocks) and seeded noise. The simulated backend, meter and power controller
 * share it. Simulated time passes for real, scaled by {@code timeScale} (0: instant; the reported
 * latencies stay the simulated ones).
 */
public final class SimulatedDevice {

  private final DeviceClass deviceClass;
  private final Random random;
  private final double noiseSigma;
  private final double timeScale;
  private volatile String mode;
  private volatile double throttle = 1;
  private volatile Duration networkDelay = Duration.ZERO;

  /**
   * @param noiseSigma standard deviation of the log-normal noise on latency and energy (0: none)
   * @param timeScale real seconds per simulated second
   */
  public SimulatedDevice(
      DeviceClass deviceClass, String mode, long seed, double noiseSigma, double timeScale) {
    if (deviceClass.mode(mode).isEmpty()) {
      throw new IllegalArgumentException(
          "power mode '" + mode + "' is not a mode of " + deviceClass.id());
    }
    if (noiseSigma < 0 || timeScale < 0) {
      throw new IllegalArgumentException(
          "noiseSigma and timeScale must be >= 0: " + noiseSigma + ", " + timeScale);
    }
    this.deviceClass = deviceClass;
    this.mode = mode;
    this.random = new Random(seed);
    this.noiseSigma = noiseSigma;
    this.timeScale = timeScale;
  }

  public DeviceClass deviceClass() {
    return deviceClass;
  }

  public String mode() {
    return mode;
  }

  /** Sets the power mode (the simulated {@code nvpmodel} / {@code nvidia-smi -pl}). */
  public void mode(String modeId) {
    if (deviceClass.mode(modeId).isEmpty()) {
      throw new IllegalArgumentException(
          "power mode '" + modeId + "' is not a mode of " + deviceClass.id());
    }
    this.mode = modeId;
  }

  public double throttle() {
    return throttle;
  }

  /** Slows every token by {@code factor} (>= 1) from now on: thermal throttling. */
  public void throttle(double factor) {
    if (!(factor >= 1)) {
      throw new IllegalArgumentException("throttle factor must be >= 1: " + factor);
    }
    this.throttle = factor;
  }

  /** One-way network delay between the device and the broker (added twice to every reply). */
  public Duration networkDelay() {
    return networkDelay;
  }

  public void networkDelay(Duration oneWay) {
    if (oneWay.isNegative()) {
      throw new IllegalArgumentException("network delay must be >= 0: " + oneWay);
    }
    this.networkDelay = oneWay;
  }

  public Performance performance(String sizeClass) {
    return deviceClass.performance(sizeClass, mode);
  }

  /** A multiplicative log-normal noise factor. */
  public double noise() {
    if (noiseSigma == 0) {
      return 1;
    }
    synchronized (random) {
      return Math.exp(noiseSigma * random.nextGaussian());
    }
  }

  /**
   * Lets {@code simulated} pass (scaled), checking {@code cancel} at least every 10 ms.
   *
   * @return false when cancelled first
   */
  public boolean pass(Duration simulated, Cancellation cancel) {
    long total = (long) (simulated.toNanos() * timeScale);
    long end = System.nanoTime() + total;
    while (true) {
      if (cancel.cancelled()) {
        return false;
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      LockSupport.parkNanos(Math.min(left, 10_000_000L));
    }
  }
}
