package dev.moe2.gating.recipe;

import dev.moe2.gating.gate.CategoryPredictor;
import dev.moe2.gating.gate.CategoryPriors;
import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.gate.GateTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A gate as the request path uses it: q(x) per expert, its shrinkage toward category priors, and
 * the category predictor; saved as three files in one folder ({@link GateRecipe#GATE_FILE} …).
 *
 * @param report the gate's training report; {@code null} when loaded from files
 */
public record TrainedGate(
    Gate gate, GateTrainer.Report report, CategoryPriors priors, CategoryPredictor predictor) {

  public TrainedGate {
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(priors, "priors");
    Objects.requireNonNull(predictor, "predictor");
  }

  /** Loads a gate saved in {@code dir}, checking it was trained over {@code encoderId}. */
  public static TrainedGate load(Path dir, String encoderId) {
    Gate gate = Gate.load(dir.resolve(GateRecipe.GATE_FILE), encoderId, null);
    CategoryPriors priors =
        CategoryPriors.load(dir.resolve(GateRecipe.PRIORS_FILE), gate.experts());
    CategoryPredictor predictor =
        new CategoryPredictor(Gate.load(dir.resolve(GateRecipe.PREDICTOR_FILE), encoderId, null));
    return new TrainedGate(gate, null, priors, predictor);
  }

  /** Writes the three files into {@code dir} (created when missing). */
  public void save(Path dir) {
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the gate folder " + dir, e);
    }
    gate.save(dir.resolve(GateRecipe.GATE_FILE));
    priors.save(dir.resolve(GateRecipe.PRIORS_FILE));
    predictor.network().save(dir.resolve(GateRecipe.PREDICTOR_FILE));
  }

  public List<String> experts() {
    return gate.experts();
  }

  /** q(x) per expert, shrunk toward {@code category}'s prior. */
  public double[] quality(float[] x, String category) {
    return priors.shrink(category, gate.predict(x));
  }

  public String category(float[] x) {
    return predictor.predict(x);
  }
}
