package dev.moe2.optimizer;

/**
 * The coarse level of expert selection (method.md §3): which model runs on which device at which
 * power mode, and which experts each category may use. Implementations: {@link DmoSelector}
 * (exact), {@link ExhaustiveSelector} (the oracle for small fleets), {@link GreedySelector}
 * (baseline) and {@link TimefoldSelector} (large fleets, with a proven gap).
 */
public interface ExpertSelector {

  /** Selects a plan for {@code problem}; deterministic for the same input. */
  Selection select(Problem problem);

  /** The selector's name in results and on the command line. */
  String name();
}
