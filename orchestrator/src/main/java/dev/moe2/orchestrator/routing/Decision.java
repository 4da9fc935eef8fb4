package dev.moe2.orchestrator.routing;

import java.time.Instant;
import java.util.List;

/**
 * What happened to one request: recorded for {@code /api/decisions} and returned in the response's
 * {@code moe2} extension.
 *
 * @param usable the category's usable experts (model@agent)
 * @param chosen the experts asked, with their weights and figures
 * @param outcome {@code answered} or the error code
 * @param bound which budget bound the usable set (from the plan)
 * @param answeredBy the expert (model@agent) whose answer was returned
 */
public record Decision(
    String requestId,
    Instant at,
    String category,
    boolean categoryPredicted,
    int k,
    double delayBudgetS,
    double energyBudgetJ,
    List<String> usable,
    List<Chosen> chosen,
    String bound,
    String outcome,
    String answer,
    String answeredBy,
    double totalMs,
    double energyJ,
    boolean budgetViolated) {

  /**
   * One expert asked.
   *
   * @param status {@code replied}, {@code deadline}, {@code error:<code>} or {@code no-answer}
   */
  public record Chosen(
      String model,
      String agent,
      double q,
      double weight,
      double predictedDelayS,
      double predictedEnergyJ,
      Double measuredDelayS,
      Double measuredEnergyJ,
      String energySource,
      String status,
      int attempt) {}
}
