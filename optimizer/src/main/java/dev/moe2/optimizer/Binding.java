package dev.moe2.optimizer;

/** What limits a category's usable set (or makes it empty). */
public enum Binding {
  /** Every model of the plan is usable, and the fleet could not do better for it. */
  NONE,
  /** Some expert of the plan is too slow for the delay budget. */
  DELAY,
  /** Some expert (or the k most expensive together) exceeds the energy budget. */
  ENERGY,
  /** Both budgets exclude experts. */
  DELAY_AND_ENERGY,
  /**
   * The budgets would admit more, but the deployment (memory, one mode per device, the site power
   * cap) trades it away for the other categories.
   */
  DEPLOYMENT
}
