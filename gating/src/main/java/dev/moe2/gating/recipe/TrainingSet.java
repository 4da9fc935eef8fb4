package dev.moe2.gating.recipe;

import java.util.ArrayList;
import java.util.List;

/**
 * Embedded prompts with the recorded score of every expert and the category of each prompt.
 *
 * @param experts the experts, in the order of {@code y}'s columns
 * @param x the embeddings
 * @param y {@code y[i][e]}: recorded score of expert e on prompt i, in [0, 1]
 * @param labels the category of each prompt
 */
public record TrainingSet(
    List<String> experts, List<float[]> x, double[][] y, List<String> labels) {

  public TrainingSet {
    experts = List.copyOf(experts);
    x = List.copyOf(x);
    labels = List.copyOf(labels);
    if (x.size() != y.length || x.size() != labels.size()) {
      throw new IllegalArgumentException(
          "x, y and labels have sizes "
              + x.size()
              + ", "
              + y.length
              + " and "
              + labels.size()
              + ": they must be equal");
    }
  }

  public int size() {
    return x.size();
  }

  /** Gathers files of one expert set. */
  public static final class Builder {
    private List<String> experts;
    private final List<float[]> x = new ArrayList<>();
    private final List<double[]> y = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();

    /** Fixes the experts on the first call; later calls must name the same ones. */
    public List<String> experts(List<String> fileExperts) {
      if (experts == null) {
        experts = List.copyOf(fileExperts);
      } else if (!experts.equals(fileExperts)) {
        throw new IllegalArgumentException(
            "experts " + fileExperts + " differ from the first file's " + experts);
      }
      return experts;
    }

    public Builder add(String category, List<float[]> xs, double[][] ys) {
      if (xs.size() != ys.length) {
        throw new IllegalArgumentException(
            "xs has " + xs.size() + " rows and ys " + ys.length + ": they must be equal");
      }
      x.addAll(xs);
      for (double[] row : ys) {
        y.add(row);
        labels.add(category);
      }
      return this;
    }

    public TrainingSet build() {
      if (experts == null) {
        throw new IllegalStateException("no file added: the training set is empty");
      }
      return new TrainingSet(experts, x, y.toArray(double[][]::new), labels);
    }
  }
}
