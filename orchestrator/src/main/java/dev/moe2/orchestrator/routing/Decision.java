package dev.moe2.orchestrator.routing;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What happened to one request: recorded for {@code /api/decisions} and returned in the response's
 * {@code moe2} extension. Built once per request by {@link DecisionLog}.
 *
 * @param usable the category's usable experts (model@agent)
 * @param chosen the experts asked, with their weights and figures
 * @param outcome how the request ended (JSON: {@code answered} or the error code)
 * @param bound which budget bound the usable set (from the plan)
 * @param answeredBy the expert (model@agent) whose answer was returned
 * @param refusedBy when refused as over budget: the budget no usable expert met for this request
 *     ({@code delay} or {@code energy}), or {@code agent} when the agents asked refused by their
 *     own measured rates before running anything; null otherwise
 * @param caller the id of the API key the request came with (never the key); null without keys
 * @param user the OpenAI {@code user} field the application sent (its own end-user id, for abuse
 *     tracing), as given; null when none
 * @param ttftMs a streamed request's time to first token: from its arrival to the first text handed
 *     to the client, ms; null when it was not streamed or no text was sent
 * @param streamedBy a streamed request's expert whose text the stream carried (model@agent); null
 *     when not streamed
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
    Outcome outcome,
    String answer,
    String answeredBy,
    double totalMs,
    double energyJ,
    boolean budgetViolated,
    String refusedBy,
    String caller,
    String user,
    Double ttftMs,
    String streamedBy) {

  /** A decision of a request that was not streamed. */
  public Decision(
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
      Outcome outcome,
      String answer,
      String answeredBy,
      double totalMs,
      double energyJ,
      boolean budgetViolated,
      String refusedBy,
      String caller,
      String user) {
    this(
        requestId,
        at,
        category,
        categoryPredicted,
        k,
        delayBudgetS,
        energyBudgetJ,
        usable,
        chosen,
        bound,
        outcome,
        answer,
        answeredBy,
        totalMs,
        energyJ,
        budgetViolated,
        refusedBy,
        caller,
        user,
        null,
        null);
  }

  public Decision {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(outcome, "outcome");
    usable = List.copyOf(usable);
    chosen = List.copyOf(chosen);
  }

  /** How a request ended; the label is the API's error code (or {@code answered}). */
  public enum Outcome {
    ANSWERED("answered"),
    NO_USABLE_EXPERTS("no-usable-experts"),
    /** No usable expert fits the request's own budgets (its prompt, its max_tokens): refused. */
    OVER_BUDGET("over-budget"),
    /**
     * Refused at once: some expert would fit the request's budgets on an idle device, but the
     * predicted wait for a slot on each of them leaves too little.
     */
    FLEET_BUSY("fleet-busy"),
    /**
     * Refused at once: with its whole delay budget some expert would fit, but the time it spent in
     * the orchestrator before dispatch (load) left too little.
     */
    OVERLOADED("overloaded"),
    NO_ANSWER("no-answer"),
    /** A streamed request whose client went away: its experts were withdrawn. */
    CLIENT_GONE("client-gone");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    @JsonValue
    public String label() {
      return label;
    }
  }

  /** What became of one dispatched expert. */
  public enum ExpertStatus {
    REPLIED("replied"),
    DEADLINE("deadline"),
    ERROR("error"),
    AGENT_DIED("agent-died"),
    /** Every slot of its agent stayed taken for as long as the deadline allowed: never sent. */
    QUEUE_TIMEOUT("queue-timeout"),
    /** The request could not be handed to the broker, or nothing was heard at all. */
    NO_ANSWER("no-answer"),
    /** Withdrawn while it ran: the client of a streamed request went away. */
    WITHDRAWN("withdrawn");

    private final String label;

    ExpertStatus(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One expert asked.
   *
   * @param state what became of it
   * @param errorCode the agent's error code when {@code state} is {@link ExpertStatus#ERROR}
   * @param attempt 1 for the first dispatch, 2 for the re-dispatch
   * @param predictedDelayS its worst case at its output cap (queue included), seconds
   * @param predictedEnergyJ its worst case at its output cap, joules
   * @param outputCap the most tokens it was allowed to generate
   * @param capBound what set the cap: {@code max_tokens}, {@code delay} or {@code energy} ({@code
   *     null}: dispatched without per-request budgets)
   * @param queueS predicted wait before its device starts on the request
   * @param stoppedAtCap its answer ended at a cap set by a budget (finish_reason length)
   * @param energyCapJ the energy cap it was sent (its share of the energy budget; {@code null}:
   *     none), which the agent enforces on its meter
   * @param finishReason how its answer ended as the agent said: {@code stop}, {@code length}, or
   *     {@code energy-cap} (the agent stopped before its metered energy would pass the cap); {@code
   *     null} without an answer
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
      @JsonIgnore ExpertStatus state,
      @JsonIgnore String errorCode,
      int attempt,
      int outputCap,
      String capBound,
      double queueS,
      boolean stoppedAtCap,
      Double energyCapJ,
      String finishReason) {

    public Chosen {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(state, "state");
      if (attempt < 1) {
        throw new IllegalArgumentException("attempt has value " + attempt + ": it must be >= 1");
      }
    }

    /**
     * The status as the API shows it: {@code replied}, {@code deadline}, {@code agent-died}, {@code
     * no-answer} or {@code error:<code>}.
     */
    @JsonProperty("status")
    public String status() {
      return state == ExpertStatus.ERROR ? "error:" + errorCode : state.label();
    }
  }
}
