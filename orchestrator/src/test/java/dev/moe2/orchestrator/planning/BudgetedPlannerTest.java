package dev.moe2.orchestrator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.FleetProblems;
import dev.moe2.planning.Qualities;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.SharedData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live planner's budget on a fleet far beyond exact search (ADR 0004's tie-heavy case). */
class BudgetedPlannerTest {

  /** {@code n} copies of each reference device: identical devices, the exponential case. */
  static Problem largeFleet(int copies) {
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    Fleet ref = catalog.fleet("reference");
    List<Fleet.Device> devices = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      for (Fleet.Device d : ref.devices()) {
        devices.add(new Fleet.Device(d.id() + "-" + c, d.deviceClass(), d.link()));
      }
    }
    Fleet big = new Fleet("large", "generated", devices, ref.models(), null);
    CategoriesFile categories = CategoriesFile.builtIn();
    Qualities q =
        Qualities.fromRouterDc(
            SharedData.routerDc(SharedData.dir()), big.models(), categories, 100);
    return FleetProblems.build(big, categories, q, null);
  }

  @Test
  void select_32Devices_stopsAtTheBudgetAndServesAFeasiblePlanWithItsProvenGap() {
    Problem p = largeFleet(8);
    Duration budget = Duration.ofMillis(300);

    Selection s = new BudgetedPlanner(budget, 1).select(p);

    assertThat(p.devices()).hasSize(32);
    assertThat(s.plan()).hasSize(32);
    assertThat(s.categories()).allMatch(c -> c.feasible());
    assertThat(s.gap()).isBetween(0.0, 1.0);
    assertThat(PlanRecord.optimality(s)).matches("exact|gap \\d+\\.\\d\\d %");
    assertThat(s.evaluations()).isPositive();
    // a bound, not a speed target: unbudgeted, this search runs for hours (ADR 0004); with the
    // budget, exact search and Timefold each stop after about 300 ms on any machine
    assertThat(Duration.ofNanos(s.elapsedNanos()))
        .isLessThan(budget.multipliedBy(2).plusSeconds(3));
  }

  @Test
  void select_referenceFleet_isExact() {
    Problem p = largeFleet(1);

    Selection s = new BudgetedPlanner(Duration.ofSeconds(5), 1).select(p);

    assertThat(s.provenOptimal()).isTrue();
    assertThat(PlanRecord.optimality(s)).isEqualTo("exact");
  }
}
