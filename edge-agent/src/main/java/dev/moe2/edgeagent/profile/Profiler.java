package dev.moe2.edgeagent.profile;

import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.ModelId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Running statistics per expert for profile reports: latency and TTFT percentiles (HdrHistogram)
 * over the current report window, and exponentially weighted means (EWMA) of prefill and decode
 * time per token and of energy. Drift: when an expert's decode-time EWMA moves more than {@code
 * threshold} (relative) away from its value at the last report, after at least {@code minSamples}
 * new samples, {@link #record} says so, and the agent reports at once (throttling shows up here).
 * Thread-safe.
 */
public final class Profiler {

  /**
   * One finished request.
   *
   * @param energyJ energy of the request
   */
  public record Sample(
      ModelId model,
      Duration ttft,
      Duration prefillPerToken,
      Duration decodePerToken,
      Duration total,
      int completionTokens,
      double energyJ,
      EnergySource source) {}

  private static final class Stats {
    final Histogram latencyUs = new Histogram(3_600_000_000L, 3);
    final Histogram ttftUs = new Histogram(3_600_000_000L, 3);
    double prefillMs = Double.NaN;
    double decodeMs = Double.NaN;
    double energyJ = Double.NaN;
    double energyPerTokenJ = Double.NaN;
    double watts = Double.NaN;
    double lastPrefillMs = Double.NaN;
    double lastDecodeMs = Double.NaN;
    double lastWatts = Double.NaN;
    double baselineDecodeMs = Double.NaN;
    long windowSamples;
    EnergySource source = EnergySource.PROFILE;
  }

  private final double alpha;
  private final double threshold;
  private final int minSamples;
  private final Map<ModelId, Stats> stats = new TreeMap<>();

  /**
   * @param alpha EWMA weight of a new sample (0, 1]
   * @param threshold relative change of decode time per token that counts as drift (> 0)
   * @param minSamples new samples needed before drift is reported
   */
  public Profiler(double alpha, double threshold, int minSamples) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1]: " + alpha);
    }
    if (!(threshold > 0)) {
      throw new IllegalArgumentException("drift threshold must be > 0: " + threshold);
    }
    this.alpha = alpha;
    this.threshold = threshold;
    this.minSamples = Math.max(1, minSamples);
  }

  /** Records a request; true when the expert's decode time has drifted (report now). */
  public synchronized boolean record(Sample s) {
    Stats st = stats.computeIfAbsent(s.model(), m -> new Stats());
    st.latencyUs.recordValue(Math.max(0, s.total().toNanos() / 1000));
    st.ttftUs.recordValue(Math.max(0, s.ttft().toNanos() / 1000));
    st.prefillMs = ewma(st.prefillMs, ms(s.prefillPerToken()));
    st.lastPrefillMs = ms(s.prefillPerToken());
    if (s.completionTokens() > 1) {
      st.decodeMs = ewma(st.decodeMs, ms(s.decodePerToken()));
      st.lastDecodeMs = ms(s.decodePerToken());
    }
    st.energyJ = ewma(st.energyJ, s.energyJ());
    if (s.total().toNanos() > 0 && s.energyJ() > 0) {
      st.watts = ewma(st.watts, s.energyJ() / (s.total().toNanos() / 1e9));
      st.lastWatts = s.energyJ() / (s.total().toNanos() / 1e9);
    }
    st.energyPerTokenJ = ewma(st.energyPerTokenJ, s.energyJ() / Math.max(1, s.completionTokens()));
    st.source = s.source();
    st.windowSamples++;
    if (Double.isNaN(st.baselineDecodeMs)) {
      st.baselineDecodeMs = st.decodeMs;
      return false;
    }
    return st.windowSamples >= minSamples
        && Math.abs(st.decodeMs - st.baselineDecodeMs) > threshold * st.baselineDecodeMs;
  }

  private double ewma(double old, double value) {
    return Double.isNaN(old) ? value : old + alpha * (value - old);
  }

  private static double ms(Duration d) {
    return d.toNanos() / 1e6;
  }

  /**
   * The window's report per expert with samples in it, then a new window starts (percentiles reset,
   * EWMAs kept, drift baselines moved to the current values).
   */
  public synchronized List<ExpertProfile> drain() {
    List<ExpertProfile> out = new ArrayList<>();
    for (Map.Entry<ModelId, Stats> e : stats.entrySet()) {
      Stats st = e.getValue();
      if (st.windowSamples == 0) {
        continue;
      }
      out.add(
          new ExpertProfile(
              e.getKey(),
              st.windowSamples,
              us(st.ttftUs.getValueAtPercentile(50)),
              msDuration(st.prefillMs),
              msDuration(Double.isNaN(st.decodeMs) ? 0 : st.decodeMs),
              us(st.latencyUs.getValueAtPercentile(50)),
              us(st.latencyUs.getValueAtPercentile(95)),
              us(st.latencyUs.getValueAtPercentile(99)),
              Joules.of(st.energyJ),
              Joules.of(st.energyPerTokenJ),
              st.source));
      st.latencyUs.reset();
      st.ttftUs.reset();
      st.windowSamples = 0;
      st.baselineDecodeMs = st.decodeMs;
    }
    return out;
  }

  /**
   * An expert's measured rates: prefill and decode seconds per token and its average power while it
   * ran a request, each the larger of its EWMA and the latest request's figure (a device that
   * suddenly slows down is judged by its latest request at once, not after the mean catches up).
   */
  public record Measured(double prefillS, double decodeS, double watts) {}

  /** The measured rates of {@code model}; empty until it has answered with more than one token. */
  public synchronized java.util.Optional<Measured> measured(ModelId model) {
    Stats st = stats.get(model);
    if (st == null || Double.isNaN(st.prefillMs) || !(st.decodeMs > 0) || !(st.watts > 0)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new Measured(
            Math.max(st.prefillMs, nanToZero(st.lastPrefillMs)) / 1e3,
            Math.max(st.decodeMs, nanToZero(st.lastDecodeMs)) / 1e3,
            Math.max(st.watts, nanToZero(st.lastWatts))));
  }

  private static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** The current decode-time EWMA of {@code model} in ms (NaN before any sample). */
  public synchronized double decodeMs(ModelId model) {
    Stats st = stats.get(model);
    return st == null ? Double.NaN : st.decodeMs;
  }

  private static Duration us(long micros) {
    return Duration.ofNanos(micros * 1000);
  }

  private static Duration msDuration(double ms) {
    return Duration.ofNanos((long) (ms * 1e6));
  }
}
