package dev.moe2.optimizer;

import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import dev.moe2.optimizer.internal.Option;
import dev.moe2.optimizer.internal.PlanScore;
import dev.moe2.optimizer.internal.Plans;

/**
 * The baseline: start with every device off; repeatedly turn on the one device option (a power mode
 * with a maximal model set) that raises G the most (ties: the method's tie-breaks), while it raises
 * G and respects the site power cap. Fast, valid, not optimal.
 */
public final class GreedySelector implements ExpertSelector {

  @Override
  public String name() {
    return "greedy";
  }

  @Override
  public Selection select(Problem problem) {
    long start = System.nanoTime();
    Instance in = new Instance(problem);
    Evaluator ev = new Evaluator(in);
    try {
      for (int d = 0; d < in.devices; d++) {
        in.maximalOptions(d);
      }
    } catch (Instance.TooManyOptionsException e) {
      return byModel(in, ev, start);
    }
    Option[] plan = new Option[in.devices];
    double power = 0;
    for (int d = 0; d < in.devices; d++) {
      plan[d] = in.maximalOptions(d).get(0); // off
      power += plan[d].powerW();
    }
    PlanScore current = Plans.score(in, ev, plan);
    while (true) {
      PlanScore bestScore = null;
      Option bestOption = null;
      for (int d = 0; d < in.devices; d++) {
        if (plan[d].on()) {
          continue;
        }
        Option off = plan[d];
        for (Option o : in.maximalOptions(d)) {
          if (!o.on() || power - off.powerW() + o.powerW() > in.cap) {
            continue;
          }
          plan[d] = o;
          PlanScore s = Plans.score(in, ev, plan);
          if (bestScore == null || s.compareTo(bestScore) < 0) {
            bestScore = s;
            bestOption = o;
          }
        }
        plan[d] = off;
      }
      if (bestOption == null || !(bestScore.g() > current.g())) {
        break;
      }
      power += bestOption.powerW() - plan[bestOption.device()].powerW();
      plan[bestOption.device()] = bestOption;
      current = bestScore;
    }
    return Plans.selection(
        name(), in, ev, plan, Double.NaN, false, ev.evaluations(), System.nanoTime() - start);
  }

  private record Step(Option option, PlanScore score, double used) {}

  /** The best way to add {@code size} (1 or 2) models to one device, or null. */
  private static Step bestStep(
      Instance in, Evaluator ev, Option[] plan, double power, double[] used, int[] twin, int size) {
    Step best = null;
    for (int d = 0; d < in.devices; d++) {
      Option now = plan[d];
      if (!now.on() && twin[d] >= 0 && !plan[twin[d]].on()) {
        continue; // an identical device that is also off was tried already
      }
      int firstMode = now.on() ? now.mode() : 0;
      int lastMode = now.on() ? now.mode() : in.device[d].modes().size() - 1;
      for (int p = firstMode; p <= lastMode; p++) {
        for (int m = 0; m < in.models; m++) {
          if (!addable(in, now, d, p, m, used[d])) {
            continue;
          }
          double afterM = used[d] + in.problem.models().get(m).memoryGiB();
          int from = size == 1 ? -1 : m + 1;
          int to = size == 1 ? 0 : in.models;
          for (int m2 = from; m2 < to; m2++) {
            long mask = now.mask() | (1L << m);
            double after = afterM;
            if (m2 >= 0) {
              if (!addable(in, now, d, p, m2, afterM)) {
                continue;
              }
              mask |= 1L << m2;
              after += in.problem.models().get(m2).memoryGiB();
            }
            Option o = in.option(d, p, mask);
            if (power - now.powerW() + o.powerW() > in.cap) {
              continue;
            }
            plan[d] = o;
            PlanScore s = Plans.score(in, ev, plan);
            plan[d] = now;
            if (best == null || s.compareTo(best.score()) < 0) {
              best = new Step(o, s, after);
            }
          }
        }
      }
    }
    return best;
  }

  private static boolean addable(Instance in, Option now, int d, int p, int m, double used) {
    return (now.mask() & (1L << m)) == 0
        && in.candidate(d, p, m) >= 0
        && used + in.problem.models().get(m).memoryGiB() <= in.device[d].memoryGiB();
  }

  /**
   * When devices have too many maximal model sets to list: grow the plan one model at a time — turn
   * a device on in some mode with one model, or add a model that still fits to a device that is on
   * — taking the step that raises G the most, while one does. Identical devices that are off are
   * tried once.
   */
  private Selection byModel(Instance in, Evaluator ev, long start) {
    Option[] plan = new Option[in.devices];
    double power = 0;
    double[] used = new double[in.devices];
    for (int d = 0; d < in.devices; d++) {
      plan[d] = in.option(d, -1, 0);
      power += plan[d].powerW();
    }
    int[] twin = DmoSelector.previousTwins(in);
    PlanScore current = Plans.score(in, ev, plan);
    while (true) {
      Step step = bestStep(in, ev, plan, power, used, twin, 1);
      if (step == null || !(step.score().g() > current.g())) {
        // No single model helps (e.g. a category needs k = 2): try two models on one device.
        Step pair = bestStep(in, ev, plan, power, used, twin, 2);
        if (pair != null && (step == null || pair.score().compareTo(step.score()) < 0)) {
          step = pair;
        }
      }
      if (step == null || !(step.score().g() > current.g())) {
        break;
      }
      int d = step.option().device();
      power += step.option().powerW() - plan[d].powerW();
      plan[d] = step.option();
      used[d] = step.used();
      current = step.score();
    }
    return Plans.selection(
        name(), in, ev, plan, Double.NaN, false, ev.evaluations(), System.nanoTime() - start);
  }
}
