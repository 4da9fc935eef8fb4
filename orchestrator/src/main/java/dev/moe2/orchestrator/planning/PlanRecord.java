package dev.moe2.orchestrator.planning;

import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.protocol.PlanAssignment;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One plan, immutable: why it was made, the optimizer's selection, each agent's part, and the plan
 * version each agent must report to count as having applied its part. Request threads read the
 * current record without a lock.
 *
 * @param problem what the plan was made from: each expert's rates (the planned slowdown included),
 *     links, aggregation time; the request path computes each request's worst case from it
 * @param confirmAt per agent, the version its state must reach (an agent whose part did not change
 *     keeps the older version it was sent)
 * @param planMs time the optimizer took
 * @param optimality {@code exact} when the optimum is proven, else {@code gap x.xx %} (the proven
 *     distance to the optimum when the planner's budget cut the search)
 */
public record PlanRecord(
    long version,
    Instant createdAt,
    String reason,
    Selection selection,
    Problem problem,
    Map<String, PlanAssignment> assignments,
    Map<String, Long> confirmAt,
    double planMs,
    String optimality) {

  public PlanRecord {
    Objects.requireNonNull(selection, "selection");
    Objects.requireNonNull(problem, "problem");
    assignments = Map.copyOf(assignments);
    confirmAt = Map.copyOf(confirmAt);
  }

  /** {@code exact}, or the proven gap of a budget-cut search. */
  public static String optimality(Selection s) {
    return s.provenOptimal() ? "exact" : String.format(Locale.ROOT, "gap %.2f %%", 100 * s.gap());
  }
}
