package dev.moe2.optimizer;

/**
 * The time to combine k answers: {@code tagg(k) = baseS + perExtraExpertS × (k − 1)} for k > 1, and
 * 0 for k = 1 (one answer needs no aggregation).
 *
 * @param baseS fixed cost of aggregating more than one answer
 * @param perExtraExpertS cost per answer beyond the first
 */
public record AggregationTime(double baseS, double perExtraExpertS) {
  /** No aggregation cost. */
  public static final AggregationTime NONE = new AggregationTime(0, 0);

  public AggregationTime {
    Checks.nonNegative(baseS, "aggregation.baseS");
    Checks.nonNegative(perExtraExpertS, "aggregation.perExtraExpertS");
  }

  public double of(int k) {
    return k <= 1 ? 0 : baseS + perExtraExpertS * (k - 1);
  }
}
