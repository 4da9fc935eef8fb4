package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** C2: the optimum never decreases when a budget or the power cap grows. */
class MonotoneOptimumTest {

  private static final double[] SCALES = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 1e6};

  @Test
  void sweep_everyBudgetOfRandomFleets_optimumIsNonDecreasing() {
    ExpertSelector dmo = new DmoSelector();
    int sweeps = 0;
    int rising = 0;
    for (long seed = 1; seed <= 150; seed++) {
      Problem p = RandomProblems.generate(seed);
      for (CategorySpec c : p.categories()) {
        sweeps +=
            check(p, dmo, BudgetSweep.Axis.ENERGY, c.id(), scaled(c.energyBudgetJ() + 1), seed);
        sweeps +=
            check(p, dmo, BudgetSweep.Axis.DELAY, c.id(), scaled(c.delayBudgetS() + 0.1), seed);
      }
      double maxPower =
          p.devices().stream()
              .mapToDouble(d -> d.modes().stream().mapToDouble(ModeSpec::maxPowerW).max().orElse(0))
              .sum();
      sweeps += check(p, dmo, BudgetSweep.Axis.POWER_CAP, null, capValues(maxPower), seed);
      List<BudgetSweep.Point> power =
          BudgetSweep.sweep(p, dmo, BudgetSweep.Axis.POWER_CAP, null, capValues(maxPower));
      rising += (int) power.stream().filter(BudgetSweep.Point::pareto).count() > 1 ? 1 : 0;
    }
    assertThat(sweeps).isGreaterThan(500);
    assertThat(rising)
        .as("power-cap sweeps where the optimum rises more than once")
        .isGreaterThan(20);
  }

  private static int check(
      Problem p,
      ExpertSelector dmo,
      BudgetSweep.Axis axis,
      String category,
      double[] values,
      long seed) {
    List<BudgetSweep.Point> points = BudgetSweep.sweep(p, dmo, axis, category, values);
    for (int i = 1; i < points.size(); i++) {
      assertThat(points.get(i).objective())
          .as(
              "seed %d, %s of %s: G at %.4g vs at %.4g",
              seed, axis, category, points.get(i).budget(), points.get(i - 1).budget())
          .isGreaterThanOrEqualTo(points.get(i - 1).objective());
    }
    assertThat(points.get(0).pareto()).isTrue();
    return 1;
  }

  private static double[] scaled(double base) {
    double[] v = new double[SCALES.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = base * SCALES[i];
    }
    return v;
  }

  private static double[] capValues(double maxPower) {
    double[] v = new double[8];
    for (int i = 0; i < v.length; i++) {
      v[i] = 5 + maxPower * i / (v.length - 2);
    }
    return v;
  }
}
