package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimefoldSelectorTest {

  @Test
  void select_randomFleets_validNeverBeatsTheOptimumAndReportsANonNegativeGap() {
    ExpertSelector timefold = TimefoldSelector.withStepLimit(200, 7);
    ExpertSelector dmo = new DmoSelector();
    ExpertSelector greedy = new GreedySelector();
    int reachedOptimum = 0;
    for (long seed = 1; seed <= 60; seed++) {
      Problem p = RandomProblems.generate(seed);
      String context = "seed " + seed;
      Selection exact = dmo.select(p);
      Selection heuristic = timefold.select(p);

      PlanChecks.assertValid(p, heuristic, context + " timefold");
      assertThat(heuristic.objective()).as(context).isLessThanOrEqualTo(exact.objective());
      assertThat(heuristic.objective())
          .as(context)
          .isGreaterThanOrEqualTo(greedy.select(p).objective());
      assertThat(heuristic.gap()).as(context).isGreaterThanOrEqualTo(0);
      assertThat(heuristic.upperBound()).as(context).isGreaterThanOrEqualTo(exact.objective());
      if (heuristic.objective() == exact.objective()) {
        reachedOptimum++;
      }
    }
    assertThat(reachedOptimum).as("fleets where timefold found the optimum").isGreaterThan(40);
  }

  @Test
  void select_sameSeedTwice_givesTheSamePlan() {
    Problem p = RandomProblems.generate(11);

    Selection a = TimefoldSelector.withStepLimit(100, 3).select(p);
    Selection b = TimefoldSelector.withStepLimit(100, 3).select(p);

    assertThat(b.plan()).isEqualTo(a.plan());
  }
}
