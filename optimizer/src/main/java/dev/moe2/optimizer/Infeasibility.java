package dev.moe2.optimizer;

/**
 * Why a category has no usable set, and what would admit its cheapest candidate.
 *
 * @param reason a sentence naming the budget that binds and the figures
 * @param minDelayBudgetS the smallest delay budget that admits k experts within the energy budget
 *     (if none does: within no energy budget); {@code NaN} when no k experts exist
 * @param minEnergyBudgetJ the smallest energy budget that admits k experts within the delay budget
 *     (if none does: within no delay budget); {@code NaN} when no k experts exist
 */
public record Infeasibility(String reason, double minDelayBudgetS, double minEnergyBudgetJ) {}
