package dev.moe2.optimizer;

import java.util.List;

/**
 * The answer of an {@link ExpertSelector}: a plan and what it achieves.
 *
 * @param selector which selector made it ({@code dmo}, {@code exhaustive}, {@code greedy}, {@code
 *     timefold})
 * @param plan per device (sorted by id) its power mode and resident models
 * @param objective G(S) = Σ_c w_c F_c(U_c(S))
 * @param upperBound the best proven upper bound on G over all valid plans ({@code objective} for
 *     exact selectors; the DMO's best bound for heuristics; {@code NaN} when none was computed)
 * @param gap {@code (upperBound − objective) / upperBound}, never negative; 0 for exact selectors;
 *     {@code NaN} when there is no bound (greedy)
 * @param provenOptimal whether the plan is proven optimal
 * @param categories per category its usable set and outcome, in the problem's order
 * @param evaluations objective evaluations spent (the machine-independent cost)
 * @param sitePowerW the summed max power of the plan's devices
 * @param elapsedNanos wall time spent
 */
public record Selection(
    String selector,
    List<DevicePlan> plan,
    double objective,
    double upperBound,
    double gap,
    boolean provenOptimal,
    List<CategoryOutcome> categories,
    long evaluations,
    double sitePowerW,
    long elapsedNanos) {
  public Selection {
    plan = List.copyOf(plan);
    categories = List.copyOf(categories);
  }

  public CategoryOutcome category(String id) {
    return categories.stream()
        .filter(c -> c.categoryId().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown category '" + id + "'"));
  }
}
