package dev.moe2.gating.gate;

import java.util.List;

/**
 * Predicts a request's application category (e.g. knowledge, math, code, reasoning) from the same
 * prompt embedding, so requests without a category still get one. It is the gate's MLP with one
 * output per category, trained on one-hot labels (the category of the dataset a prompt comes from);
 * the category is the highest output.
 */
public final class CategoryPredictor {

  private final Gate network;

  public CategoryPredictor(Gate network) {
    this.network = network;
  }

  /**
   * @param x embeddings
   * @param labels the category of each prompt
   * @param categories the categories, in output order
   */
  public static CategoryPredictor train(
      GateTrainer trainer,
      List<float[]> x,
      List<String> labels,
      List<String> categories,
      String encoderId) {
    double[][] y = new double[x.size()][categories.size()];
    for (int i = 0; i < labels.size(); i++) {
      int c = categories.indexOf(labels.get(i));
      if (c < 0) {
        throw new IllegalArgumentException(
            "label '" + labels.get(i) + "' of example " + i + " is not one of " + categories);
      }
      y[i][c] = 1;
    }
    return new CategoryPredictor(trainer.train(x, y, categories, encoderId).gate());
  }

  public List<String> categories() {
    return network.experts();
  }

  /** The network, to save it ({@link Gate#save}) and load it again. */
  public Gate network() {
    return network;
  }

  /** The most likely category of the prompt with embedding {@code x}. */
  public String predict(float[] x) {
    double[] p = network.predict(x);
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return network.experts().get(best);
  }
}
