package dev.moe2.tools.gate;

import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.recipe.GateRecipe;
import dev.moe2.gating.recipe.TrainedGate;
import dev.moe2.gating.recipe.TrainingSet;
import dev.moe2.profiles.workload.SharedDataMissingException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/train-gate}: trains the gate by the {@link GateRecipe} and writes its files. */
@Command(
    name = "train-gate",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the gate (q per expert, shrinkage toward category priors, category predictor) on the",
      "RouterDC train splits, by the same recipe the orchestrator uses, and writes gate.json,",
      "category-priors.json and category-predictor.json to --out; point the orchestrator's",
      "moe2.gate.dir there. The last line of the output is a key=value summary."
    })
public final class TrainGateCommand implements Callable<Integer> {

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--out",
      defaultValue = "target/moe2-gate",
      description = "Folder the gate files are written to (the orchestrator's moe2.gate.dir).")
  Path out;

  @Option(
      names = "--cache",
      defaultValue = "target/moe2-embeddings",
      description = "Embedding cache folder (reused across runs).")
  Path cache;

  @Option(names = "--seed", defaultValue = "1", description = "Training seed.")
  long seed;

  @CommandLine.Mixin dev.moe2.tools.gate.EncoderTruncation truncation;

  @Option(
      names = "--max-prompts",
      defaultValue = "0",
      description = "Use at most this many prompts per train file (0: all).")
  int maxPrompts;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainGateCommand()).execute(args));
  }

  @Override
  public Integer call() {
    GateRecipe recipe;
    try {
      recipe = GateRecipe.reference(shared, maxPrompts, seed);
    } catch (SharedDataMissingException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    long t0 = System.nanoTime();
    try (MiniLmEncoder encoder = truncation.open(2)) {
      TrainingSet set =
          recipe.trainingSet(
              new EmbeddingCache(encoder, cache),
              (file, n) -> System.err.printf("\rembedding %-28s %6d", file, n));
      System.err.println();
      System.err.printf("training the gate on %d prompts ...%n", set.size());
      TrainedGate trained =
          recipe.train(
              set,
              encoder.id(),
              f -> System.err.printf("\rshrinkage folds %d/%d", f, GateRecipe.FOLDS));
      System.err.println();
      trained.save(out);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("gate files written to %s%n", out.toAbsolutePath());
      System.out.printf(
          Locale.ROOT,
          "train-gate prompts=%d experts=%d best_epoch=%d validation_loss=%.4f seconds=%.1f%n",
          set.size(),
          trained.experts().size(),
          trained.report().bestEpoch(),
          trained.report().validationLoss(),
          s);
      return 0;
    }
  }
}
