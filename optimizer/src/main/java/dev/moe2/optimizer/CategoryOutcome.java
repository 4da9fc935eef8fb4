package dev.moe2.optimizer;

import java.util.List;

/**
 * A category under a plan: its usable set U_c and what it achieves.
 *
 * @param categoryId the category
 * @param feasible whether it has a usable set of at least k experts
 * @param usable the usable experts (one per model), sorted by model id
 * @param replicas every expert of the plan that may stand in for a usable one without breaking the
 *     worst-case budgets (same model, no slower in the serial rule, no more energy), the usable
 *     ones included; sorted by model id then device id
 * @param objective F_c(U_c): mean predicted quality of routing each validation prompt to its best
 *     usable model; 0 when infeasible
 * @param worstDelayS Twc(U_c), seconds; {@code NaN} when infeasible
 * @param worstEnergyJ Ewc(U_c), joules; {@code NaN} when infeasible
 * @param binding what limits the usable set
 * @param infeasibility why it is empty; {@code null} when feasible
 */
public record CategoryOutcome(
    String categoryId,
    boolean feasible,
    List<Expert> usable,
    List<Expert> replicas,
    double objective,
    double worstDelayS,
    double worstEnergyJ,
    Binding binding,
    Infeasibility infeasibility) {
  public CategoryOutcome {
    usable = List.copyOf(usable);
    replicas = List.copyOf(replicas);
  }
}
