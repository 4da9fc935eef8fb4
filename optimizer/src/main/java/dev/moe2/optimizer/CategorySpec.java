package dev.moe2.optimizer;

/**
 * An application category with its budgets and the gate's predicted qualities on its validation
 * prompts.
 *
 * @param id e.g. {@code knowledge}
 * @param inputTokens typical prompt length Lin
 * @param outputTokens typical answer length Lout
 * @param weight traffic weight w_c
 * @param k how many experts answer each request
 * @param delayBudgetS worst-case delay budget per request, seconds
 * @param energyBudgetJ worst-case energy budget per request, joules
 * @param qualities {@code qualities[x][m]}: predicted quality in [0, 1] of model m (in the order of
 *     {@link Problem#models()}) on validation prompt x
 */
public record CategorySpec(
    String id,
    int inputTokens,
    int outputTokens,
    double weight,
    int k,
    double delayBudgetS,
    double energyBudgetJ,
    float[][] qualities) {

  public CategorySpec {
    Checks.id(id, "category.id");
    if (inputTokens < 0 || outputTokens < 1) {
      throw new IllegalArgumentException(
          "category "
              + id
              + ": inputTokens "
              + inputTokens
              + " must be >= 0 and outputTokens "
              + outputTokens
              + " >= 1");
    }
    Checks.nonNegative(weight, "category.weight");
    if (k < 1) {
      throw new IllegalArgumentException(
          "field 'category.k' of " + id + " has value " + k + ": it must be >= 1");
    }
    Checks.nonNegative(delayBudgetS, "category.delayBudgetS");
    Checks.nonNegative(energyBudgetJ, "category.energyBudgetJ");
    if (qualities == null || qualities.length == 0) {
      throw new IllegalArgumentException("field 'category.qualities' of " + id + " is empty");
    }
    for (int x = 0; x < qualities.length; x++) {
      for (float q : qualities[x]) {
        if (!(q >= 0 && q <= 1)) {
          throw new IllegalArgumentException(
              "field 'category.qualities["
                  + x
                  + "]' of "
                  + id
                  + " has value "
                  + q
                  + ": it must be in [0, 1]");
        }
      }
    }
  }

  /** The same category with other budgets (for sweeps). */
  public CategorySpec withBudgets(double delayS, double energyJ) {
    return new CategorySpec(id, inputTokens, outputTokens, weight, k, delayS, energyJ, qualities);
  }
}
