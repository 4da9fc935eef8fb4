package dev.moe2.orchestrator.planning;

import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.optimizer.TimefoldSelector;
import java.time.Duration;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The live planner: the exact DMO within a time budget (ADR 0004: tie-heavy fleets are exponential,
 * and one slow re-plan would block the planner thread). When the budget cuts the search, Timefold
 * gets the same budget again and the better of the two plans is served with its proven gap ({@link
 * PlanRecord#optimality}).
 */
final class BudgetedPlanner {

  private static final Logger LOG = Logger.getLogger(BudgetedPlanner.class);

  private final Duration budget;
  private final long seed;

  BudgetedPlanner(Duration budget, long seed) {
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("budget has value " + budget + ": it must be > 0");
    }
    this.budget = budget;
    this.seed = seed;
  }

  Selection select(Problem problem) {
    Selection exact = new DmoSelector(Long.MAX_VALUE, budget).select(problem);
    if (exact.provenOptimal()) {
      return exact;
    }
    Duration unimproved = budget.dividedBy(4);
    Selection local =
        TimefoldSelector.withTimeLimit(budget, unimproved, seed)
            .withBoundEvaluations(10_000)
            .select(problem);
    Selection best = local.objective() > exact.objective() + 1e-12 ? tighter(local, exact) : exact;
    LOG.infof(
        "planning budget %d ms cut the exact search (G=%.4f, gap %.2f %%); Timefold G=%.4f;"
            + " serving %s",
        budget.toMillis(),
        exact.objective(),
        100 * exact.gap(),
        local.objective(),
        best.selector());
    return best;
  }

  /** {@code s} with the tighter of the two proven upper bounds, and its gap against it. */
  private static Selection tighter(Selection s, Selection other) {
    double bound = Math.max(s.objective(), Math.min(s.upperBound(), other.upperBound()));
    double gap = bound <= 0 ? 0 : Math.max(0, (bound - s.objective()) / bound);
    return new Selection(
        s.selector(),
        s.plan(),
        s.objective(),
        bound,
        gap,
        gap == 0,
        s.categories(),
        s.evaluations() + other.evaluations(),
        s.sitePowerW(),
        s.elapsedNanos() + other.elapsedNanos());
  }
}
