package dev.moe2.optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Pareto frontier of the plan objective against one budget: a category's energy or delay
 * budget, or the site power cap. Each point is an optimal plan at that budget; the optimum never
 * falls as a budget grows (claim C2), so the frontier is the points where it rises.
 */
public final class BudgetSweep {

  private BudgetSweep() {}

  /** The budget that is swept. */
  public enum Axis {
    ENERGY,
    DELAY,
    POWER_CAP
  }

  /**
   * One point of a sweep.
   *
   * @param budget the swept budget's value (J, s or W)
   * @param objective G of the plan at this budget
   * @param categoryObjective F_c of the swept category (G for the power cap)
   * @param pareto whether the point is on the frontier of G (no smaller budget reaches its
   *     objective)
   * @param selection the plan at this budget
   */
  public record Point(
      double budget,
      double objective,
      double categoryObjective,
      boolean pareto,
      Selection selection) {}

  /**
   * Re-plans the problem at each value of the budget, in ascending order.
   *
   * @param category the category whose budget is swept; ignored for {@link Axis#POWER_CAP}
   */
  public static List<Point> sweep(
      Problem problem, ExpertSelector selector, Axis axis, String category, double[] values) {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(selector, "selector");
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    if (axis != Axis.POWER_CAP
        && problem.categories().stream().noneMatch(c -> c.id().equals(category))) {
      throw new IllegalArgumentException("unknown category '" + category + "' to sweep");
    }
    List<Point> points = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (double v : sorted) {
      Problem p = with(problem, axis, category, v);
      Selection s = selector.select(p);
      double value = axis == Axis.POWER_CAP ? s.objective() : s.category(category).objective();
      boolean pareto = s.objective() > best;
      best = Math.max(best, s.objective());
      points.add(new Point(v, s.objective(), value, pareto, s));
    }
    return List.copyOf(points);
  }

  static Problem with(Problem problem, Axis axis, String category, double value) {
    Problem.Builder b = problem.toBuilder();
    if (axis == Axis.POWER_CAP) {
      return b.sitePowerCapW(value).build();
    }
    List<CategorySpec> categories = new ArrayList<>();
    for (CategorySpec c : problem.categories()) {
      if (!c.id().equals(category)) {
        categories.add(c);
      } else if (axis == Axis.ENERGY) {
        categories.add(c.withBudgets(c.delayBudgetS(), value));
      } else {
        categories.add(c.withBudgets(value, c.energyBudgetJ()));
      }
    }
    return b.categories(categories).build();
  }
}
