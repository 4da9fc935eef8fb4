package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * C1: DMO returns exactly the exhaustive optimum on seeded random fleets small enough to enumerate.
 */
class DmoMatchesExhaustiveTest {

  private static final int FLEETS = 1_000;

  @Test
  void select_thousandRandomFleets_dmoEqualsExhaustiveInObjectiveAndPlan() {
    ExpertSelector dmo = new DmoSelector();
    ExpertSelector exhaustive = new ExhaustiveSelector();
    ExpertSelector greedy = new GreedySelector();
    int infeasibleCategories = 0;
    int kAbove1 = 0;
    int multiDevice = 0;
    int twinFleets = 0;
    long dmoEvals = 0;
    long exhaustiveEvals = 0;
    for (long seed = 1; seed <= FLEETS; seed++) {
      Problem p = RandomProblems.generate(seed);
      String context = "seed " + seed;
      Selection exact = exhaustive.select(p);
      Selection fast = dmo.select(p);
      Selection base = greedy.select(p);

      assertThat(fast.objective()).as("%s: objective", context).isEqualTo(exact.objective());
      assertThat(fast.plan()).as("%s: plan after tie-breaks", context).isEqualTo(exact.plan());
      assertThat(fast.categories()).as("%s: usable sets", context).isEqualTo(exact.categories());
      assertThat(fast.provenOptimal()).as(context).isTrue();
      assertThat(base.objective())
          .as("%s: greedy never beats the optimum", context)
          .isLessThanOrEqualTo(exact.objective());
      PlanChecks.assertValid(p, fast, context + " dmo");
      PlanChecks.assertValid(p, base, context + " greedy");
      infeasibleCategories += (int) exact.categories().stream().filter(c -> !c.feasible()).count();
      for (int c = 0; c < p.categories().size(); c++) {
        if (p.categories().get(c).k() > 1 && exact.categories().get(c).feasible()) {
          kAbove1++;
        }
      }
      if (java.util.Arrays.stream(
              DmoSelector.previousTwins(new dev.moe2.optimizer.internal.Instance(p)))
          .anyMatch(t -> t >= 0)) {
        twinFleets++;
      }
      if (exact.plan().stream().filter(DevicePlan::on).count() >= 2) {
        multiDevice++;
      }
      dmoEvals += fast.evaluations();
      exhaustiveEvals += exact.evaluations();
    }
    // The generator must exercise what C1 is about.
    assertThat(infeasibleCategories).as("infeasible categories seen").isGreaterThan(50);
    assertThat(kAbove1).as("feasible categories with k > 1 seen").isGreaterThan(100);
    assertThat(multiDevice).as("optima using two or more devices").isGreaterThan(100);
    assertThat(twinFleets)
        .as("fleets with identical devices (symmetry breaking)")
        .isGreaterThan(100);
    assertThat(exhaustiveEvals).as("exhaustive evaluations vs DMO's").isGreaterThan(dmoEvals);
  }

  @Test
  void select_aCategoryOfWeightZero_dmoStillEqualsExhaustive() {
    ExpertSelector dmo = new DmoSelector();
    ExpertSelector exhaustive = new ExhaustiveSelector();
    for (long seed = 1; seed <= 300; seed++) {
      Problem p = RandomProblems.generate(seed);
      java.util.List<CategorySpec> cats = new java.util.ArrayList<>(p.categories());
      CategorySpec c = cats.get(0);
      cats.set(
          0,
          new CategorySpec(
              c.id(),
              c.inputTokens(),
              c.outputTokens(),
              0,
              c.k(),
              c.delayBudgetS(),
              c.energyBudgetJ(),
              c.qualities()));
      if (cats.stream().noneMatch(x -> x.weight() > 0)) {
        continue;
      }
      Problem q = p.toBuilder().categories(cats).build();
      Selection exact = exhaustive.select(q);
      Selection fast = dmo.select(q);
      assertThat(fast.objective()).as("seed %d: objective", seed).isEqualTo(exact.objective());
      assertThat(fast.plan()).as("seed %d: plan after tie-breaks", seed).isEqualTo(exact.plan());
    }
  }
}
