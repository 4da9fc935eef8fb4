package dev.moe2.planning;

import java.util.List;

/**
 * An application category as an operator writes it in a categories file.
 *
 * @param id e.g. {@code knowledge}
 * @param inputTokens typical prompt length Lin
 * @param outputTokens typical answer length Lout
 * @param weight traffic weight
 * @param k experts per request
 * @param delayBudgetS worst-case delay budget, seconds
 * @param energyBudgetJ worst-case energy budget, joules
 * @param datasets RouterDC files whose prompts stand for this category (planning qualities)
 */
public record CategoryConfig(
    String id,
    int inputTokens,
    int outputTokens,
    double weight,
    int k,
    double delayBudgetS,
    double energyBudgetJ,
    List<String> datasets) {
  public CategoryConfig {
    datasets = datasets == null ? List.of() : List.copyOf(datasets);
  }
}
