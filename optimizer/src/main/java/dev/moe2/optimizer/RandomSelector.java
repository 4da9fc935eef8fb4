package dev.moe2.optimizer;

import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import dev.moe2.optimizer.internal.Option;
import dev.moe2.optimizer.internal.Plans;
import java.util.Random;

/**
 * A baseline for evaluations: a random valid placement. Each device, in a random order, is off or
 * in a random power mode that still fits the site power cap, and holds a random set of the models
 * that run there and fit its memory (each model, in random order, kept with probability one half
 * while it fits; at least one). Given that placement, each category's usable set is the best one
 * (the same exact category level as the other selectors), so the baseline isolates the value of
 * planning the placement. Deterministic for the same seed.
 */
public final class RandomSelector implements ExpertSelector {

  private final long seed;

  /** A random selector drawing from {@code seed}. */
  public RandomSelector(long seed) {
    this.seed = seed;
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public Selection select(Problem problem) {
    long start = System.nanoTime();
    Instance in = new Instance(problem);
    Evaluator ev = new Evaluator(in);
    Random random = new Random(seed);
    Option[] plan = new Option[in.devices];
    double power = 0;
    for (int d = 0; d < in.devices; d++) {
      plan[d] = in.option(d, -1, 0);
      power += plan[d].powerW();
    }
    for (int d : shuffled(in.devices, random)) {
      int modes = in.device[d].modes().size();
      int p = random.nextInt(modes + 1) - 1; // -1: off
      if (p < 0) {
        continue;
      }
      long mask = 0;
      double used = 0;
      for (int m : shuffled(in.models, random)) {
        double size = problem.models().get(m).memoryGiB();
        if (in.candidate(d, p, m) >= 0
            && used + size <= in.device[d].memoryGiB()
            && (mask == 0 || random.nextBoolean())) {
          mask |= 1L << m;
          used += size;
        }
      }
      Option o = in.option(d, p, mask);
      if (power - plan[d].powerW() + o.powerW() <= in.cap) {
        power += o.powerW() - plan[d].powerW();
        plan[d] = o;
      }
    }
    return Plans.selection(
        name(), in, ev, plan, Double.NaN, false, ev.evaluations(), System.nanoTime() - start);
  }

  private static int[] shuffled(int n, Random random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
