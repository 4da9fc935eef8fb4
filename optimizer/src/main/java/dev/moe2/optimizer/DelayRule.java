package dev.moe2.optimizer;

/** How the delays of the k experts that answer one request combine (method.md §1). */
public enum DelayRule {
  /** Parallel dispatch: the slowest of the k, plus aggregation. */
  PARALLEL_MAX,
  /** Serial dispatch: the sum of the k, plus aggregation. */
  SERIAL_SUM
}
