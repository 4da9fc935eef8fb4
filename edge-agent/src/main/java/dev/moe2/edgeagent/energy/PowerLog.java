package dev.moe2.edgeagent.energy;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Power samples over time, and the energy of a window: the trapezoid integral of power between the
 * window's ends, where each piece of time is shared equally between the windows open during it.
 * Bounded: samples older than {@code horizonNanos} are dropped. Thread-safe.
 */
final class PowerLog {

  private record Sample(long nanos, double watts, int open) {}

  private final Deque<Sample> samples = new ArrayDeque<>();
  private final long horizonNanos;
  private int open;

  PowerLog(long horizonNanos) {
    this.horizonNanos = horizonNanos;
  }

  synchronized void opened() {
    open++;
  }

  synchronized void closed() {
    open = Math.max(0, open - 1);
  }

  synchronized void add(long nanos, double watts) {
    samples.addLast(new Sample(nanos, watts, open));
    while (!samples.isEmpty() && samples.peekFirst().nanos() < nanos - horizonNanos) {
      samples.removeFirst();
    }
  }

  synchronized int size() {
    return samples.size();
  }

  /**
   * Joules in [from, to], shared between concurrent windows; power is held flat before the first
   * and after the last sample. NaN when there is no sample at all.
   */
  synchronized double energy(long from, long to) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    if (to <= from) {
      return 0;
    }
    double joules = 0;
    Sample prev = null;
    for (Sample s : samples) {
      if (prev != null) {
        joules += piece(prev, s, from, to);
      } else if (s.nanos() > from) {
        joules += flat(s, from, Math.min(to, s.nanos()));
      }
      prev = s;
    }
    if (prev.nanos() < to) {
      joules += flat(prev, Math.max(from, prev.nanos()), to);
    }
    return joules;
  }

  private static double flat(Sample s, long a, long b) {
    return b <= a ? 0 : s.watts() * (b - a) / 1e9 / Math.max(1, s.open());
  }

  private static double piece(Sample p, Sample s, long from, long to) {
    long a = Math.max(from, p.nanos());
    long b = Math.min(to, s.nanos());
    if (b <= a) {
      return 0;
    }
    double span = s.nanos() - p.nanos();
    double wa = p.watts() + (s.watts() - p.watts()) * (a - p.nanos()) / span;
    double wb = p.watts() + (s.watts() - p.watts()) * (b - p.nanos()) / span;
    int sharing = Math.max(1, Math.max(p.open(), s.open()));
    return (wa + wb) / 2 * (b - a) / 1e9 / sharing;
  }
}
