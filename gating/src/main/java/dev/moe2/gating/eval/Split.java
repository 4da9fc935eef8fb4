package dev.moe2.gating.eval;

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

  static double[][] scores(List<RouterDcRecord> records, List<String> experts) {
    double[][] y = new double[records.size()][experts.size()];
    for (int i = 0; i < records.size(); i++) {
      for (int e = 0; e < experts.size(); e++) {
        Double s = records.get(i).scores().get(experts.get(e));
        if (s == null) {
          throw new IllegalArgumentException(
              "prompt " + i + " has no score for expert " + experts.get(e));
        }
        y[i][e] = Math.max(0, Math.min(1, s));
      }
    }
    return y;
  }

  int size() {
    return records.size();
  }
}
