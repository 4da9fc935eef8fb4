package dev.moe2.gating.recipe;

import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.gate.CategoryPredictor;
import dev.moe2.gating.gate.CategoryPriors;
import dev.moe2.gating.gate.GateTrainer;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.profiles.workload.ReferenceWorkload.Benchmark;
import dev.moe2.profiles.workload.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/**
 * How the gate is trained, defined once for the orchestrator ({@code scripts/train-gate}, and at
 * start-up when no gate file exists) and for the evaluation ({@code scripts/eval-routing}): the
 * RouterDC train files of the {@link ReferenceWorkload} with their categories, an optional per-file
 * subsample, the trainer's hyper-parameters ({@link GateTrainer#defaults}), {@value #FOLDS}-fold
 * out-of-fold shrinkage toward category priors, and the category predictor over {@link
 * ReferenceWorkload#CATEGORIES}.
 *
 * @param routerDc the RouterDC score folder ({@link SharedData#routerDc})
 * @param maxPromptsPerFile use at most this many prompts per file, evenly strided (0: all)
 * @param seed the training seed
 */
public record GateRecipe(Path routerDc, int maxPromptsPerFile, long seed) {

  /** Folds of the out-of-fold predictions the shrinkage is fitted on. */
  public static final int FOLDS = 5;

  /** The files a trained gate is saved as, in its folder. */
  public static final String GATE_FILE = "gate.json";

  public static final String PRIORS_FILE = "category-priors.json";
  public static final String PREDICTOR_FILE = "category-predictor.json";

  public GateRecipe {
    Objects.requireNonNull(routerDc, "routerDc");
    if (maxPromptsPerFile < 0) {
      throw new IllegalArgumentException(
          "maxPromptsPerFile has value " + maxPromptsPerFile + ": it must be >= 0 (0: all)");
    }
  }

  /** The recipe over the shared folder's RouterDC data; fails naming the path when missing. */
  public static GateRecipe reference(Path shared, int maxPromptsPerFile, long seed) {
    return new GateRecipe(SharedData.routerDc(shared), maxPromptsPerFile, seed);
  }

  /** The trainer (hyper-parameters) of the gate, the shrinkage folds and the predictor. */
  public GateTrainer trainer() {
    return GateTrainer.defaults(seed);
  }

  /** A RouterDC file of this recipe's folder, subsampled as the recipe says. */
  public List<RouterDcRecord> load(String file) {
    List<RouterDcRecord> records = RouterDcDataset.load(routerDc.resolve(file));
    if (maxPromptsPerFile <= 0 || records.size() <= maxPromptsPerFile) {
      return records;
    }
    List<RouterDcRecord> some = new ArrayList<>();
    int stride = records.size() / maxPromptsPerFile;
    for (int i = 0; i < records.size() && some.size() < maxPromptsPerFile; i += stride) {
      some.add(records.get(i));
    }
    return some;
  }

  /** The experts of a score file, sorted: the gate's output order. */
  public static List<String> experts(List<RouterDcRecord> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("records is empty: no experts to train for");
    }
    return records.get(0).scores().keySet().stream().sorted().toList();
  }

  /** {@code y[i][e]}: the recorded score of expert e on prompt i, clamped to [0, 1]. */
  public static double[][] scores(List<RouterDcRecord> records, List<String> experts) {
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

  /**
   * The training set: every benchmark's train file, embedded.
   *
   * @param progress told (file, prompts embedded so far) while embedding
   */
  public TrainingSet trainingSet(EmbeddingCache embeddings, BiConsumer<String, Integer> progress) {
    TrainingSet.Builder b = new TrainingSet.Builder();
    for (Benchmark benchmark : ReferenceWorkload.BENCHMARKS) {
      List<RouterDcRecord> records = load(benchmark.trainFile());
      List<String> experts = b.experts(experts(records));
      List<float[]> x =
          embeddings.embed(
              records.stream().map(RouterDcRecord::question).toList(),
              n -> progress.accept(benchmark.trainFile(), n));
      b.add(benchmark.category(), x, scores(records, experts));
    }
    return b.build();
  }

  /**
   * Trains the gate, fits the shrinkage out of fold and trains the category predictor.
   *
   * @param foldProgress told the number of shrinkage folds done
   */
  public TrainedGate train(TrainingSet set, String encoderId, IntConsumer foldProgress) {
    GateTrainer.Result gate = trainer().train(set.x(), set.y(), set.experts(), encoderId);
    CategoryPriors priors =
        CategoryPriors.fitOutOfFold(
            trainer(),
            set.x(),
            set.y(),
            set.labels(),
            set.experts(),
            encoderId,
            FOLDS,
            foldProgress);
    CategoryPredictor predictor =
        CategoryPredictor.train(
            trainer(), set.x(), set.labels(), ReferenceWorkload.CATEGORIES, encoderId);
    return new TrainedGate(gate.gate(), gate.report(), priors, predictor);
  }

  /** Whether {@code dir} holds a saved gate ({@link TrainedGate#save}). */
  public static boolean savedIn(Path dir) {
    return Files.isRegularFile(dir.resolve(GATE_FILE))
        && Files.isRegularFile(dir.resolve(PRIORS_FILE))
        && Files.isRegularFile(dir.resolve(PREDICTOR_FILE));
  }
}
