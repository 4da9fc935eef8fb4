package dev.moe2.optimizer;

import java.util.List;
import java.util.Objects;

/**
 * What the fine level chose for one request under its budgets: the experts that answer, each with
 * its output cap, or why none can.
 *
 * @param picks the experts that answer, best q first (empty when refused)
 * @param refusal why no expert can serve the request within its budgets; {@code null} when picked
 */
public record RequestChoice(List<CappedPick> picks, Refusal refusal) {

  public RequestChoice {
    picks = List.copyOf(picks);
    if (picks.isEmpty() == (refusal == null)) {
      throw new IllegalArgumentException("a choice has picks or a refusal, not both or neither");
    }
  }

  public boolean refused() {
    return refusal != null;
  }

  /** Which limit stopped an expert's output cap where it is. */
  public enum CapBound {
    /** The request's own {@code max_tokens} (or the category's planned output length). */
    MAX_TOKENS("max_tokens"),
    DELAY("delay"),
    ENERGY("energy");

    private final String label;

    CapBound(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One expert that answers.
   *
   * @param quality its model's q(x)
   * @param weight q renormalised over the picks
   * @param outputCap the most tokens it may generate: its worst case at this length meets the delay
   *     budget and its share of the energy budget, never above the request's output length
   * @param predictedDelayS worst-case delay at the cap (queue included, aggregation not)
   * @param predictedEnergyJ worst-case energy at the cap
   * @param energyShareJ the part of the energy budget this expert may spend
   * @param queueS predicted wait before it starts
   * @param capBound which limit set the cap
   */
  public record CappedPick(
      Expert expert,
      double quality,
      double weight,
      int outputCap,
      double predictedDelayS,
      double predictedEnergyJ,
      double energyShareJ,
      double queueS,
      CapBound capBound) {
    public CappedPick {
      Objects.requireNonNull(expert, "expert");
      Objects.requireNonNull(capBound, "capBound");
      if (outputCap < 0) {
        throw new IllegalArgumentException(
            "outputCap has value " + outputCap + ": it must be >= 0");
      }
    }
  }

  /**
   * No expert (and no subset) fits.
   *
   * @param binding {@code delay} or {@code energy}: the budget no usable expert meets
   * @param longestPromptTokens the longest prompt some usable expert could serve within both
   *     budgets with the minimal output (-1: none, even an empty prompt)
   * @param largestMaxTokens the largest output some usable expert could produce for this prompt
   *     within both budgets (-1: none)
   * @param best the best usable expert by q
   * @param delayToAdmitBestS the delay budget that would admit it (minimal output)
   * @param energyToAdmitBestJ the energy budget that would admit it (minimal output)
   */
  public record Refusal(
      String binding,
      int longestPromptTokens,
      int largestMaxTokens,
      Expert best,
      double delayToAdmitBestS,
      double energyToAdmitBestJ) {
    public Refusal {
      Objects.requireNonNull(binding, "binding");
    }
  }
}
