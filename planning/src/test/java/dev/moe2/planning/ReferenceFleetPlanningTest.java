package dev.moe2.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.optimizer.BudgetSweep;
import dev.moe2.optimizer.DevicePlan;
import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.ExhaustiveSelector;
import dev.moe2.optimizer.GreedySelector;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.optimizer.TimefoldSelector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The optimizer on the real data: reference fleet, reference categories, RouterDC scores. */
class ReferenceFleetPlanningTest {

  @Test
  void dmo_referenceFleet_isProvenOptimalAndUsesSeveralModes() {
    Problem p = ReferencePlanning.problem(ReferencePlanning.fleet(), null);

    Selection s = new DmoSelector().select(p);

    assertThat(s.provenOptimal()).isTrue();
    assertThat(s.evaluations()).as("objective evaluations").isLessThanOrEqualTo(1_000);
    assertThat(s.plan().stream().filter(DevicePlan::on).map(DevicePlan::modeId).distinct())
        .as("the budgets pull devices into different power modes")
        .hasSizeGreaterThan(1);
    assertThat(s.categories()).allSatisfy(c -> assertThat(c.feasible()).isTrue());
    assertThat(new GreedySelector().select(p).objective()).isLessThanOrEqualTo(s.objective());
  }

  @ParameterizedTest
  @ValueSource(strings = {"orin-agx-1,rtx4090-1", "orin-nx-1,rtx4090-1", "orin-agx-1,orin-nx-1"})
  void dmo_twoDeviceSubFleetsOfTheReference_equalsExhaustive(String devices) {
    Problem p =
        ReferencePlanning.problem(
            ReferencePlanning.subFleet(ReferencePlanning.fleet(), List.of(devices.split(","))),
            null);

    Selection exact = new ExhaustiveSelector().select(p);
    Selection dmo = new DmoSelector().select(p);

    assertThat(dmo.objective()).isEqualTo(exact.objective());
    assertThat(dmo.plan()).isEqualTo(exact.plan());
    assertThat(dmo.evaluations()).isLessThan(exact.evaluations() / 10);
  }

  @Test
  void sweepPowerCap_referenceFleet_risesToTheUncappedOptimum() {
    Problem p = ReferencePlanning.problem(ReferencePlanning.fleet(), null);
    double uncapped = new DmoSelector().select(p).objective();

    List<BudgetSweep.Point> points =
        BudgetSweep.sweep(
            p,
            new DmoSelector(),
            BudgetSweep.Axis.POWER_CAP,
            null,
            new double[] {10, 30, 60, 120, 400, 700});

    for (int i = 1; i < points.size(); i++) {
      assertThat(points.get(i).objective()).isGreaterThanOrEqualTo(points.get(i - 1).objective());
    }
    assertThat(points.get(0).objective()).isLessThan(uncapped);
    assertThat(points.get(points.size() - 1).objective()).isEqualTo(uncapped);
    assertThat(points.get(0).selection().sitePowerW()).isLessThanOrEqualTo(10);
  }

  @Test
  void timefold_referenceFleet_reachesTheOptimumWithAZeroGap() {
    Problem p = ReferencePlanning.problem(ReferencePlanning.fleet(), null);
    Selection exact = new DmoSelector().select(p);

    Selection tf = TimefoldSelector.withStepLimit(400, 1).withBoundEvaluations(10_000).select(p);

    assertThat(tf.objective()).isLessThanOrEqualTo(exact.objective());
    assertThat(tf.upperBound()).isEqualTo(exact.objective());
    assertThat(tf.gap()).isGreaterThanOrEqualTo(0).isLessThan(0.01);
  }
}
