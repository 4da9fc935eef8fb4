package dev.moe2.optimizer.timefold;

import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import java.util.List;

/**
 * A problem fact that lets constraints evaluate the plan objective G: the compiled problem and its
 * memoising evaluator. Timefold solves on one thread here, so one evaluator is safe.
 */
public final class PlanContext {

  /** G is rewarded in millionths (medium level). */
  public static final double QUALITY_SCALE = 1_000_000;

  private final Instance instance;
  private final Evaluator evaluator;
  private final long capMilliW;
  private final long idleMilliW;

  public PlanContext(Instance instance, Evaluator evaluator) {
    this.instance = instance;
    this.evaluator = evaluator;
    this.capMilliW =
        Double.isInfinite(instance.cap) ? Long.MAX_VALUE : Math.round(instance.cap * 1000);
    long idle = 0;
    for (int d = 0; d < instance.devices; d++) {
      idle += Math.round(instance.idlePower(d) * 1000);
    }
    this.idleMilliW = idle;
  }

  /** G of the candidate set (ignoring -1: a model that cannot run in its device's mode). */
  public long qualityMicros(List<Integer> candidates) {
    int[] s = new int[candidates.size()];
    int n = 0;
    for (int c : candidates) {
      if (c >= 0) {
        s[n++] = c;
      }
    }
    return Math.round(evaluator.objective(s, n) * QUALITY_SCALE);
  }

  public long capMilliW() {
    return capMilliW;
  }

  /** Idle power of all devices (counted when the problem counts idle devices, else 0). */
  public long idleMilliW() {
    return idleMilliW;
  }

  Instance instance() {
    return instance;
  }
}
