package dev.moe2.gating.data;

import java.util.Map;

/**
 * One prompt of a RouterDC file with the recorded score of each model.
 *
 * @param question the prompt text
 * @param scores per RouterDC model name (e.g. {@code HuggingFaceH4/zephyr-7b-beta}) its score: for
 *     multiple choice the probability of the gold option when the model was right, else 0; for
 *     GSM8K / HumanEval / MBPP the fraction of 10 samples correct
 */
public record RouterDcRecord(String question, Map<String, Double> scores) {
  public RouterDcRecord {
    scores = Map.copyOf(scores);
  }
}
