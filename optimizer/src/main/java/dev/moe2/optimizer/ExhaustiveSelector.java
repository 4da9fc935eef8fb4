package dev.moe2.optimizer;

import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import dev.moe2.optimizer.internal.Option;
import dev.moe2.optimizer.internal.PlanScore;
import dev.moe2.optimizer.internal.Plans;
import java.util.List;

/**
 * The oracle: evaluates every valid plan — per device off, or any power mode with any set of models
 * that fits its memory — and keeps the best under the tie-breaks of method.md §3. Exponential; for
 * fleets small enough to enumerate (tests, and the benchmark's check).
 */
public final class ExhaustiveSelector implements ExpertSelector {

  private final long maxPlans;

  /**
   * @param maxPlans refuse problems with more plans than this (guards against runaway runs)
   */
  public ExhaustiveSelector(long maxPlans) {
    if (maxPlans < 1) {
      throw new IllegalArgumentException("maxPlans has value " + maxPlans + ": it must be >= 1");
    }
    this.maxPlans = maxPlans;
  }

  public ExhaustiveSelector() {
    this(50_000_000L);
  }

  @Override
  public String name() {
    return "exhaustive";
  }

  /** How many plans (before the power cap) exhaustive search would evaluate. */
  public static double planCount(Problem problem) {
    Instance in = new Instance(problem);
    double count = 1;
    for (int d = 0; d < in.devices; d++) {
      count *= in.allOptions(d).size();
    }
    return count;
  }

  @Override
  public Selection select(Problem problem) {
    long start = System.nanoTime();
    Instance in = new Instance(problem);
    Evaluator ev = new Evaluator(in);
    int devices = in.devices;
    @SuppressWarnings("unchecked")
    List<Option>[] options = new List[devices];
    double total = 1;
    for (int d = 0; d < devices; d++) {
      options[d] = in.allOptions(d);
      total *= options[d].size();
    }
    if (total > maxPlans) {
      throw new IllegalArgumentException(
          "exhaustive search would evaluate "
              + String.format("%.3g", total)
              + " plans, more than its limit of "
              + maxPlans
              + ". Maybe use the dmo selector, which is exact too?");
    }
    int[] idx = new int[devices];
    Option[] plan = new Option[devices];
    Option[] best = null;
    PlanScore bestScore = null;
    int[] buffer = new int[in.candidates];
    while (true) {
      double power = 0;
      for (int d = 0; d < devices; d++) {
        plan[d] = options[d].get(idx[d]);
        power += plan[d].powerW();
      }
      if (power <= in.cap) {
        int n = Plans.candidates(in, plan, buffer);
        PlanScore score = Plans.score(in, plan, ev.objective(buffer, n));
        if (bestScore == null || score.compareTo(bestScore) < 0) {
          bestScore = score;
          best = plan.clone();
        }
      }
      int d = devices - 1;
      while (d >= 0 && ++idx[d] == options[d].size()) {
        idx[d] = 0;
        d--;
      }
      if (d < 0) {
        break;
      }
    }
    long evaluations = ev.evaluations();
    return Plans.selection(
        name(), in, ev, best, bestScore.g(), true, evaluations, System.nanoTime() - start);
  }
}
