package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RandomSelectorTest {

  @Test
  void select_randomFleets_validPlansNeverAboveTheOptimum() {
    ExpertSelector dmo = new DmoSelector();
    int differentFromOptimum = 0;
    for (long seed = 1; seed <= 300; seed++) {
      Problem p = RandomProblems.generate(seed);
      Selection random = new RandomSelector(seed).select(p);
      Selection best = dmo.select(p);
      PlanChecks.assertValid(p, random, "seed " + seed + " random");
      assertThat(random.objective())
          .as("seed %d: a random plan never beats the optimum", seed)
          .isLessThanOrEqualTo(best.objective());
      assertThat(random.provenOptimal()).isFalse();
      if (random.objective() < best.objective()) {
        differentFromOptimum++;
      }
    }
    assertThat(differentFromOptimum).as("random plans below the optimum").isGreaterThan(30);
  }

  @Test
  void select_sameSeed_samePlan() {
    Problem p = RandomProblems.generate(42);
    assertThat(new RandomSelector(7).select(p).plan())
        .isEqualTo(new RandomSelector(7).select(p).plan());
  }
}
