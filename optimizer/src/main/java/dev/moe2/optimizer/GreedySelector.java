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
}
