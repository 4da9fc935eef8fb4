package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The cover bound of tied nodes (ADR 0004, rule 6) prunes, it never changes the answer: on random
 * fleets of 4 to 5 devices — too many plans for the exhaustive oracle — the search with it returns
 * the plan the search without it returns, tie-breaks included, in no more evaluations overall.
 */
class TieCoverKeepsTheAnswerTest {

  private static final int FLEETS = 250;

  @Test
  void select_randomFleetsOfFourToFiveDevices_samePlanWithAndWithoutTheCoverBound() {
    int compared = 0;
    long withCover = 0;
    long without = 0;
    for (long seed = 1; seed <= FLEETS; seed++) {
      Problem p = RandomProblems.generate(seed, 4, 5);
      String context = "seed " + seed;
      Selection fast = new DmoSelector(200_000).select(p);
      Selection reference = DmoSelector.withoutTieCover(200_000).select(p);
      if (!fast.provenOptimal() || !reference.provenOptimal()) {
        continue;
      }
      compared++;
      withCover += fast.evaluations();
      without += reference.evaluations();
      assertThat(fast.objective()).as("%s: objective", context).isEqualTo(reference.objective());
      assertThat(fast.plan()).as("%s: plan after tie-breaks", context).isEqualTo(reference.plan());
      assertThat(fast.categories())
          .as("%s: usable sets", context)
          .isEqualTo(reference.categories());
      PlanChecks.assertValid(p, fast, context);
    }
    assertThat(compared).as("fleets both searches proved").isGreaterThanOrEqualTo(FLEETS * 9 / 10);
    assertThat(withCover)
        .as("evaluations with the cover bound, all fleets")
        .isLessThanOrEqualTo(without);
  }
}
