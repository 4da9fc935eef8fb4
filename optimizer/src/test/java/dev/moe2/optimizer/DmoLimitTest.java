package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.optimizer.internal.Instance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DMO's evaluation limit holds: never more than the limit plus one expansion. */
class DmoLimitTest {

  /** The evaluations one expansion can cost: the most options of any device, one refinement. */
  static int oneExpansion(Problem p) {
    Instance in = new Instance(p);
    int most = 0;
    for (int d = 0; d < in.devices; d++) {
      most = Math.max(most, in.maximalOptions(d).size());
    }
    return most + 2;
  }

  @Test
  void select_evaluationLimit_neverExceededByMoreThanOneExpansionAndThePlanIsValid() {
    for (long limit : new long[] {1, 10, 100}) {
      for (long seed = 1; seed <= 200; seed++) {
        Problem p = RandomProblems.generate(seed);
        Selection s = new DmoSelector(limit).select(p);
        PlanChecks.assertValid(p, s, "seed " + seed + " limit " + limit);
        assertThat(s.evaluations())
            .as("seed %d, limit %d", seed, limit)
            .isLessThanOrEqualTo(limit + oneExpansion(p));
        assertThat(s.upperBound()).isGreaterThanOrEqualTo(s.objective() - 1e-12);
        if (!s.provenOptimal()) {
          assertThat(s.gap()).isBetween(0.0, 1.0);
        }
      }
    }
  }

  @Test
  void select_progressListener_toldAboutALongSearchAndTheResultUnchanged() {
    Problem p = RandomProblems.generate(7);
    List<DmoSelector.Progress> seen = new ArrayList<>();
    Selection plain = new DmoSelector().select(p);
    Selection watched = new DmoSelector().withProgress(seen::add).select(p);

    assertThat(watched.plan()).isEqualTo(plain.plan());
    assertThat(watched.objective()).isEqualTo(plain.objective());
    // reports come at most once a second: a quick search may have none, never a wrong one
    assertThat(seen).allSatisfy(x -> assertThat(x.boundG()).isGreaterThanOrEqualTo(x.incumbentG()));
  }
}
