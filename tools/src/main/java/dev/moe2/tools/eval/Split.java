package dev.moe2.tools.eval;

import dev.moe2.gating.data.RouterDcRecord;
import java.util.List;

/**
 * One RouterDC file with its embeddings and score matrix.
 *
 * @param name e.g. {@code mmlu_test}
 * @param category its application category (knowledge, math, reasoning, code)
 * @param multipleChoice whether answers are option letters (a vote can combine them)
 * @param records the prompts
 * @param x their embeddings
 * @param y {@code y[i][e]}: recorded score of expert e on prompt i, in [0, 1]
 */
record Split(
    String name,
    String category,
    boolean multipleChoice,
    List<RouterDcRecord> records,
    List<float[]> x,
    double[][] y) {

  int size() {
    return records.size();
  }
}
