package dev.moe2.tools.routerbench;

import java.util.Map;

/**
 * One prompt of a RouterBench file with each model's 0/1 correctness and its dollar cost.
 *
 * @param sampleId e.g. {@code arc-challenge.test.1}
 * @param prompt the prompt text (often multi-line)
 * @param evalName the benchmark it comes from
 * @param scores per model its correctness (0 or 1); models not scored on this prompt are absent
 * @param costs per model the dollar cost of its answer
 */
public record RouterBenchRecord(
    String sampleId,
    String prompt,
    String evalName,
    Map<String, Double> scores,
    Map<String, Double> costs) {
  public RouterBenchRecord {
    scores = Map.copyOf(scores);
    costs = Map.copyOf(costs);
  }
}
