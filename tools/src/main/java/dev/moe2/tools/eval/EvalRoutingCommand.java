package dev.moe2.tools.eval;

import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.gate.CategoryPredictor;
import dev.moe2.gating.gate.CategoryPriors;
import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.gate.GateTrainer;
import dev.moe2.gating.recipe.GateRecipe;
import dev.moe2.gating.recipe.TrainedGate;
import dev.moe2.gating.recipe.TrainingSet;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.profiles.workload.SharedDataMissingException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/eval-routing}: the gate against the baselines on the RouterDC test splits. */
@Command(
    name = "eval-routing",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the gate on the RouterDC train splits (MMLU, GSM8K, ARC-C, HumanEval, ARC-E) and",
      "reports, on the test splits, the mean score of each single expert, random, the per-category",
      "best expert, kNN, gate top-1, gate top-2/3 (q-weighted vote, conservative), and the oracle;",
      "plus the calibration (ECE) of q. Writes report.md, scores.csv and PNG plots to --out; the",
      "last line of the output is a key=value summary."
    })
public final class EvalRoutingCommand implements Callable<Integer> {

  /** Train prompts per category whose predicted qualities the C3 planner optimises. */
  static final int PLANNING_PROMPTS = 300;

  /** The test splits pooled in the headline figures (as in shared/README.md). */
  static final List<String> POOLED =
      ReferenceWorkload.BENCHMARKS.stream()
          .filter(ReferenceWorkload.Benchmark::headline)
          .map(ReferenceWorkload.Benchmark::testName)
          .toList();

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(names = "--out", defaultValue = "target/eval-routing", description = "Output folder.")
  Path out;

  @Option(
      names = "--cache",
      defaultValue = "target/moe2-embeddings",
      description = "Embedding cache folder (reused across runs).")
  Path cache;

  @Option(names = "--seed", defaultValue = "1", description = "Training seed.")
  long seed;

  @Option(names = "--knn-k", defaultValue = "50", description = "Neighbours of the kNN router.")
  int knnK;

  @Option(
      names = "--max-prompts",
      defaultValue = "0",
      description = "Use at most this many prompts per file (0: all; for quick runs).")
  int maxPrompts;

  @CommandLine.Mixin dev.moe2.tools.gate.EncoderTruncation truncation;

  @Option(
      names = "--c4-train-size",
      defaultValue = "1500",
      description = "Train prompts for the C4 subset study (0: skip it).")
  int c4TrainSize;

  private final PrintStream stdout;

  /** Held for the report. */
  private CategoryPriors fittedPriors;

  public EvalRoutingCommand() {
    this(System.out);
  }

  /** Prints the report and summary to {@code stdout}. */
  EvalRoutingCommand(PrintStream stdout) {
    this.stdout = stdout;
  }

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger TIMEFOLD_LOG =
      java.util.logging.Logger.getLogger("ai.timefold");

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    TIMEFOLD_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new EvalRoutingCommand()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    GateRecipe recipe;
    try {
      recipe = GateRecipe.reference(shared, maxPrompts, seed);
    } catch (SharedDataMissingException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    Files.createDirectories(out);
    List<String> experts = null;
    List<Split> train = new ArrayList<>();
    List<Split> test = new ArrayList<>();
    try (MiniLmEncoder encoder = truncation.open(2)) {
      EmbeddingCache embeddings = new EmbeddingCache(encoder, cache);
      TrainingSet.Builder set = new TrainingSet.Builder();
      for (ReferenceWorkload.Benchmark b : ReferenceWorkload.BENCHMARKS) {
        List<RouterDcRecord> tr = recipe.load(b.trainFile());
        List<RouterDcRecord> te = recipe.load(b.testFile());
        experts = set.experts(GateRecipe.experts(tr));
        Split s = split(b.trainFile(), b, tr, experts, embeddings);
        set.add(b.category(), s.x(), s.y());
        train.add(s);
        test.add(split(b.testFile(), b, te, experts, embeddings));
      }
      System.err.println();

      TrainingSet trainingSet = set.build();
      List<float[]> trainX = trainingSet.x();
      double[][] trainY = trainingSet.y();
      progress("training the gate on " + trainX.size() + " prompts");
      // The shrinkage is fitted on out-of-fold predictions: FOLDS gates, each trained without one
      // fold of the train prompts, predict that fold; then the category predictor.
      progressBar("shrinkage folds", 0, GateRecipe.FOLDS);
      TrainedGate trained =
          recipe.train(
              trainingSet, encoder.id(), f -> progressBar("shrinkage folds", f, GateRecipe.FOLDS));
      trained.save(out);
      Gate gate = trained.gate();
      CategoryPriors priors = trained.priors();
      fittedPriors = priors;
      QualityFunction shrunk = trained::quality;
      CategoryPredictor predictor = trained.predictor();
      Map<String, Integer> bestByCategory = bestByCategory(train, experts.size());
      progress("routing the test splits (kNN is the slow part)");
      Map<String, Map<String, double[]>> results = new LinkedHashMap<>();
      for (Split s : test) {
        Map<String, double[]> r = new LinkedHashMap<>();
        for (int e = 0; e < experts.size(); e++) {
          r.put(shortName(experts.get(e)), Routers.single(s, e));
        }
        r.put("random", Routers.random(s));
        r.put("per-category best", Routers.perCategoryBest(s, bestByCategory));
        r.put("kNN (k=" + knnK + ")", Routers.knn(s, trainX, trainY, knnK));
        r.put("gate top-1 (no shrinkage)", Routers.gateTopK(s, gate, 1));
        r.put("gate top-1", Routers.gateTopK(s, shrunk, 1));
        r.put("gate top-2 vote", Routers.gateTopK(s, shrunk, 2));
        r.put("gate top-3 vote", Routers.gateTopK(s, shrunk, 3));
        r.put("oracle", Routers.oracle(s));
        results.put(s.name(), r);
      }
      double ece = Routers.expectedCalibrationError(test, gate);
      double categoryAccuracy = categoryAccuracy(test, predictor);
      List<SubsetProperty.Row> c4 = List.of();
      if (c4TrainSize > 0) {
        int stride = Math.max(1, trainX.size() / c4TrainSize);
        List<float[]> cx = new ArrayList<>();
        List<double[]> cy = new ArrayList<>();
        for (int i = 0; i < trainX.size(); i += stride) {
          cx.add(trainX.get(i));
          cy.add(trainY[i]);
        }
        List<Split> pooledTest = test.stream().filter(s -> POOLED.contains(s.name())).toList();
        int total = SubsetProperty.subsetCount(experts.size());
        progress(
            "C4: retraining the gate on each of "
                + total
                + " expert subsets ("
                + cx.size()
                + " prompts)");
        c4 =
            SubsetProperty.run(
                new GateTrainer(32, 2e-3, 64, 40, 5, 0.15, 1e-4, seed),
                cx,
                cy.toArray(double[][]::new),
                experts,
                encoder.id(),
                pooledTest,
                done -> progressBar("C4 subsets", done, total));
        writeC4(c4, experts);
      }
      Map<String, List<BudgetStudy.Point>> c3 = budgetSweeps(experts, shrunk, train, test);
      return report(experts, test, results, ece, categoryAccuracy, trained.report(), c4, c3);
    }
  }

  /** C3: energy and delay budgets of the knowledge category, and the site power cap. */
  private Map<String, List<BudgetStudy.Point>> budgetSweeps(
      List<String> experts, QualityFunction gate, List<Split> train, List<Split> test) {
    progress("C3: budget sweeps on the reference fleet (planning qualities from train prompts)");
    Map<String, List<float[]>> planning = new LinkedHashMap<>();
    Map<String, List<double[]>> planningScores = new LinkedHashMap<>();
    for (Split s : train) {
      List<float[]> xs = planning.computeIfAbsent(s.category(), c -> new ArrayList<>());
      List<double[]> ys = planningScores.computeIfAbsent(s.category(), c -> new ArrayList<>());
      int stride = Math.max(1, s.size() / PLANNING_PROMPTS);
      for (int i = 0; i < s.size(); i += stride) {
        xs.add(s.x().get(i));
        ys.add(s.y()[i]);
      }
    }
    Map<String, Split> tests = new LinkedHashMap<>();
    for (Split s : test) {
      if (!s.name().startsWith("arc_easy")) {
        tests.putIfAbsent(s.category(), s);
      }
    }
    BudgetStudy study =
        new BudgetStudy(
            ProfileCatalog.builtIn().fleet("reference"),
            CategoriesFile.builtIn(),
            experts,
            gate,
            planning,
            arrays(planningScores),
            tests);
    Map<BudgetStudy.Axis, double[]> axes = new LinkedHashMap<>();
    axes.put(
        BudgetStudy.Axis.ENERGY,
        new double[] {5, 10, 20, 30, 40, 50, 55, 58, 60, 65, 80, 120, 200});
    axes.put(
        BudgetStudy.Axis.DELAY, new double[] {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0});
    axes.put(
        BudgetStudy.Axis.POWER_CAP,
        new double[] {15, 25, 40, 60, 100, 150, 250, 400, 600, Double.POSITIVE_INFINITY});
    int total = axes.values().stream().mapToInt(v -> v.length).sum();
    int[] done = {0};
    Map<String, List<BudgetStudy.Point>> out = new LinkedHashMap<>();
    axes.forEach(
        (axis, values) ->
            out.put(
                axis.label,
                study.sweep(
                    axis,
                    "knowledge",
                    values,
                    n -> progressBar("C3 budget points", ++done[0], total))));
    return out;
  }

  private Split split(
      String file,
      ReferenceWorkload.Benchmark benchmark,
      List<RouterDcRecord> records,
      List<String> experts,
      EmbeddingCache embeddings) {
    String name = file.replace(".json", "");
    List<float[]> x =
        embeddings.embed(
            records.stream().map(RouterDcRecord::question).toList(),
            done -> progressBar("embedding " + name, done, records.size()));
    return new Split(
        name,
        benchmark.category(),
        benchmark.multipleChoice(),
        records,
        x,
        GateRecipe.scores(records, experts));
  }

  private static Map<String, Integer> bestByCategory(List<Split> train, int experts) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Split s : train) {
      double[] sum = sums.computeIfAbsent(s.category(), c -> new double[experts]);
      for (double[] row : s.y()) {
        for (int e = 0; e < experts; e++) {
          sum[e] += row[e];
        }
      }
      counts.merge(s.category(), s.size(), Integer::sum);
    }
    Map<String, Integer> best = new LinkedHashMap<>();
    sums.forEach((c, sum) -> best.put(c, Routers.argmax(sum)));
    return best;
  }

  private static double categoryAccuracy(List<Split> test, CategoryPredictor predictor) {
    int right = 0;
    int total = 0;
    for (Split s : test) {
      for (float[] x : s.x()) {
        right += predictor.predict(x).equals(s.category()) ? 1 : 0;
        total++;
      }
    }
    return (double) right / total;
  }

  private int report(
      List<String> experts,
      List<Split> test,
      Map<String, Map<String, double[]>> results,
      double ece,
      double categoryAccuracy,
      GateTrainer.Report training,
      List<SubsetProperty.Row> c4,
      Map<String, List<BudgetStudy.Point>> c3)
      throws IOException {
    List<String> methods = new ArrayList<>(results.values().iterator().next().keySet());
    Map<String, Double> pooled = new LinkedHashMap<>();
    Map<String, Double> pooledAll = new LinkedHashMap<>();
    for (String m : methods) {
      pooled.put(m, pooledMean(results, m, POOLED));
      pooledAll.put(m, pooledMean(results, m, new ArrayList<>(results.keySet())));
    }
    StringBuilder md = new StringBuilder("# Routing evaluation\n\n");
    StringBuilder csv = new StringBuilder("method");
    md.append(
            "Mean realised score on the RouterDC test splits (fractions). Gate trained with seed ")
        .append(seed)
        .append(
            String.format(
                Locale.ROOT,
                " (%d epochs, best %d, validation BCE %.4f).%n%n",
                training.epochs(),
                training.bestEpoch(),
                training.validationLoss()));
    md.append("| method |");
    for (String split : results.keySet()) {
      md.append(' ').append(split).append(" |");
      csv.append(',').append(split);
    }
    md.append(" pooled (mmlu+gsm8k+arc-c) | pooled (all 5) |\n|---|");
    csv.append(",pooled,pooled_all\n");
    for (int i = 0; i < results.size() + 2; i++) {
      md.append("---|");
    }
    md.append('\n');
    for (String m : methods) {
      md.append("| ").append(m).append(" |");
      csv.append('"').append(m).append('"');
      for (Map<String, double[]> r : results.values()) {
        double v = Routers.mean(r.get(m));
        md.append(String.format(Locale.ROOT, " %.3f |", v));
        csv.append(String.format(Locale.ROOT, ",%.4f", v));
      }
      md.append(String.format(Locale.ROOT, " %.3f | %.3f |%n", pooled.get(m), pooledAll.get(m)));
      csv.append(String.format(Locale.ROOT, ",%.4f,%.4f%n", pooled.get(m), pooledAll.get(m)));
    }
    double bestSingle =
        experts.stream().mapToDouble(e -> pooled.get(shortName(e))).max().orElse(Double.NaN);
    md.append(
        String.format(
            Locale.ROOT,
            "%nBest single expert, pooled: %.3f. Expected calibration error of q on all test"
                + " prompts × experts (10 bins): %.4f. Category predictor accuracy on the test"
                + " splits: %.3f.%n%n",
            bestSingle,
            ece,
            categoryAccuracy));
    double c4Mean = c4.stream().mapToDouble(SubsetProperty.Row::gap).average().orElse(Double.NaN);
    double c4Worst = c4.stream().mapToDouble(SubsetProperty.Row::gap).max().orElse(Double.NaN);
    double c4Abs = c4.stream().mapToDouble(r -> Math.abs(r.gap())).average().orElse(Double.NaN);
    if (!c4.isEmpty()) {
      md.append(
          String.format(
              Locale.ROOT,
              "C4 (%d subsets S, |S| >= 2; gates trained on the same %s-prompt sample): gap ="
                  + " score of a gate retrained on S − score of the all-expert gate restricted to"
                  + " S, pooled test. Mean %.4f, worst (largest) %.4f, mean |gap| %.4f"
                  + " (c4.csv).%n%n",
              c4.size(),
              c4TrainSize,
              c4Mean,
              c4Worst,
              c4Abs));
    }
    int violations = 0;
    double gainPts = Double.NaN;
    double gainRel = Double.NaN;
    double capGain = Double.NaN;
    double capGainRel = Double.NaN;
    List<String[]> c3Rows = new ArrayList<>();
    for (var sweep : c3.entrySet()) {
      boolean cap = sweep.getKey().equals(BudgetStudy.Axis.POWER_CAP.label);
      md.append("### C3: ")
          .append(sweep.getKey())
          .append(
              cap
                  ? " swept; score = category-weighted mean over the four test splits\n\n"
                  : " of the knowledge category swept; score on mmlu_test\n\n")
          .append(
              "| budget | MoE² (DMO plan + gate top-1) | knowledge usable set | greedy plan + gate"
                  + " | random valid plans + gate (mean of "
                  + BudgetStudy.RANDOM_PLANS
                  + ") | best single that fits | MoE² − best single |\n")
          .append("|---|---|---|---|---|---|---|\n");
      for (BudgetStudy.Point pt : sweep.getValue()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %.3f | %s | %.3f | %.3f | %s | %s |%n",
                Double.isFinite(pt.budget())
                    ? String.format(Locale.ROOT, "%.3g", pt.budget())
                    : "none",
                pt.moe2(),
                pt.moe2Usable(),
                pt.greedy(),
                pt.random(),
                Double.isNaN(pt.bestSingle())
                    ? "none fits"
                    : String.format(
                        Locale.ROOT, "%.3f (%s)", pt.bestSingle(), pt.bestSingleModel()),
                Double.isNaN(pt.bestSingle())
                    ? "—"
                    : String.format(Locale.ROOT, "%+.3f", pt.gain())));
        c3Rows.add(
            new String[] {
              sweep.getKey(),
              Double.toString(pt.budget()),
              Double.toString(pt.moe2()),
              pt.moe2Usable(),
              Double.toString(pt.greedy()),
              Double.toString(pt.random()),
              Double.toString(pt.bestSingle()),
              pt.bestSingleModel(),
              Double.toString(pt.moe2EnergyJ()),
              Double.toString(pt.bestSingleEnergyJ())
            });
        violations += pt.violates() ? 1 : 0;
        if (!cap
            && !Double.isNaN(pt.bestSingle())
            && (Double.isNaN(gainPts) || pt.gain() > gainPts)) {
          gainPts = pt.gain();
          gainRel = pt.gain() / pt.bestSingle();
        }
        if (cap
            && !Double.isNaN(pt.bestSingle())
            && (Double.isNaN(capGain) || pt.gain() > capGain)) {
          capGain = pt.gain();
          capGainRel = pt.gain() / pt.bestSingle();
        }
      }
      md.append('\n');
    }
    writeCsv(
        "c3-budgets.csv",
        new String[] {
          "axis",
          "budget",
          "moe2",
          "moe2_usable",
          "greedy",
          "random",
          "best_single",
          "best_single_model",
          "moe2_worst_energy_j",
          "best_single_worst_energy_j"
        },
        c3Rows);
    plotSweep(c3.get(BudgetStudy.Axis.ENERGY.label));
    plotPareto(c3.get(BudgetStudy.Axis.ENERGY.label));
    md.append(
        String.format(
            Locale.ROOT,
            "C3: %d budget points where MoE² falls below the best single expert that fits."
                + " Largest gain over the best fitting single expert on MMLU (knowledge energy and"
                + " delay sweeps): %+.1f points (%+.1f %% relative), beside the paper's \"up to"
                + " 14.4 %%\". Under a site power cap, where one plan serves all four categories,"
                + " the largest gain over the best single expert (category-weighted score) is"
                + " %+.1f points (%+.1f %% relative). Plots: `c3-energy.png` (score against the"
                + " energy budget), `c3-pareto.png` (score against the worst-case energy spent).%n%n",
            violations,
            100 * gainPts,
            100 * gainRel,
            100 * capGain,
            100 * capGainRel));
    md.append(
        "Gate top-k shrinks q toward the category's prior, q' = α·q + (1 − α)·prior, with α per"
            + " category chosen on out-of-fold predictions for the train prompts ("
            + GateRecipe.FOLDS
            + " folds) by nested cross-validation (α picked on 4 of 5 outer folds, scored on the"
            + " fifth) and kept above 0 only when that out-of-sample gain over the prior alone is"
            + " significant (one-sided 95 %), at least "
            + CategoryPriors.MIN_GAIN
            + " (half a point) and no outer fold loses significantly:");
    for (String c : ReferenceWorkload.CATEGORIES) {
      fittedPriors
          .prior(c)
          .ifPresent(p -> md.append(String.format(Locale.ROOT, " %s α=%.2f", c, p.alpha())));
    }
    md.append(".\n\n");
    md.append(
        "Vote rule (k > 1, multiple choice): q-weighted; every wrong vote is assumed to name the"
            + " same wrong option, so a vote is right only when its right voters weigh more than"
            + " half; free-text answers (GSM8K, HumanEval) take the highest-q answer.\n");
    Files.writeString(out.resolve("scores.csv"), csv.toString(), StandardCharsets.UTF_8);
    plot(pooled);

    // the gate against the trivial rule on every dataset, and the pooled top-1's bootstrap interval
    int datasetsBelow = 0;
    for (String split : results.keySet()) {
      double g = mean(results.get(split).get("gate top-1"));
      double b = mean(results.get(split).get("per-category best"));
      if (g < b - 1e-12) {
        datasetsBelow++;
        md.append(
            String.format(
                Locale.ROOT,
                "**The gate is below the per-category best on %s: %.4f < %.4f.**%n%n",
                split,
                g,
                b));
      }
    }
    double[] ci = bootstrap(results, "gate top-1", POOLED, 2000, seed);
    md.append(
        String.format(
            Locale.ROOT,
            "Gate top-1, pooled: %.3f, bootstrap 95 %% interval [%.3f, %.3f] (2,000 resamples of"
                + " the pooled test prompts). Datasets where it is below the per-category best:"
                + " %d.%n",
            pooled.get("gate top-1"),
            ci[0],
            ci[1],
            datasetsBelow));
    Files.writeString(out.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
    stdout.print(md);
    String summary =
        String.format(
            Locale.ROOT,
            "routing gate_top1_pooled=%.3f per_category_best_pooled=%.3f knn_pooled=%.3f"
                + " best_single_pooled=%.3f gate_top2_pooled=%.3f gate_top3_pooled=%.3f"
                + " oracle_pooled=%.3f ece=%.4f category_accuracy=%.3f c3_violations=%d"
                + " c3_max_gain_mmlu=%.3f c3_max_gain_mmlu_rel=%.3f c3_max_gain_power_cap=%.3f"
                + " c3_max_gain_power_cap_rel=%.3f c4_mean_gap=%.4f c4_worst_gap=%.4f"
                + " gate_top1_pooled_ci95=%.3f..%.3f gate_below_per_category_best_datasets=%d%n",
            pooled.get("gate top-1"),
            pooled.get("per-category best"),
            pooled.get("kNN (k=" + knnK + ")"),
            bestSingle,
            pooled.get("gate top-2 vote"),
            pooled.get("gate top-3 vote"),
            pooled.get("oracle"),
            ece,
            categoryAccuracy,
            violations,
            gainPts,
            gainRel,
            capGain,
            capGainRel,
            c4Mean,
            c4Worst,
            ci[0],
            ci[1],
            datasetsBelow);
    Files.writeString(out.resolve("summary.txt"), summary, StandardCharsets.UTF_8);
    stdout.print(summary);
    return 0;
  }

  private static Map<String, double[][]> arrays(Map<String, List<double[]>> rows) {
    Map<String, double[][]> out = new LinkedHashMap<>();
    rows.forEach((c, r) -> out.put(c, r.toArray(double[][]::new)));
    return out;
  }

  private void writeCsv(String file, String[] header, List<String[]> rows) throws IOException {
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    new com.fasterxml.jackson.dataformat.csv.CsvMapper()
        .writerFor(String[][].class)
        .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema())
        .writeValue(out.resolve(file).toFile(), all.toArray(String[][]::new));
  }

  private void writeC4(List<SubsetProperty.Row> rows, List<String> experts) throws IOException {
    StringBuilder csv = new StringBuilder("subset,size,retrained,restricted,gap\n");
    for (SubsetProperty.Row r : rows) {
      List<String> names = new ArrayList<>();
      for (int e = 0; e < experts.size(); e++) {
        if ((r.mask() & (1L << e)) != 0) {
          names.add(shortName(experts.get(e)));
        }
      }
      csv.append('"')
          .append(String.join(" ", names))
          .append('"')
          .append(
              String.format(
                  Locale.ROOT,
                  ",%d,%.4f,%.4f,%.4f%n",
                  r.subsetSize(),
                  r.retrained(),
                  r.restricted(),
                  r.gap()));
    }
    Files.writeString(out.resolve("c4.csv"), csv.toString(), StandardCharsets.UTF_8);
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    return v.length == 0 ? Double.NaN : sum / v.length;
  }

  /** The 2.5 and 97.5 percentiles of the pooled mean over {@code resamples} bootstrap resamples. */
  private static double[] bootstrap(
      Map<String, Map<String, double[]>> results,
      String method,
      List<String> splits,
      int resamples,
      long seed) {
    List<Double> all = new ArrayList<>();
    for (String s : splits) {
      for (double x : results.get(s).get(method)) {
        all.add(x);
      }
    }
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double[] means = new double[resamples];
    int n = all.size();
    for (int b = 0; b < resamples; b++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += all.get(r.nextInt(n));
      }
      means[b] = sum / n;
    }
    java.util.Arrays.sort(means);
    return new double[] {means[(int) (0.025 * resamples)], means[(int) (0.975 * resamples) - 1]};
  }

  private static double pooledMean(
      Map<String, Map<String, double[]>> results, String method, List<String> splits) {
    double sum = 0;
    int n = 0;
    for (String s : splits) {
      double[] v = results.get(s).get(method);
      for (double x : v) {
        sum += x;
      }
      n += v.length;
    }
    return sum / n;
  }

  private void plot(Map<String, Double> pooled) throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1000)
            .height(500)
            .title("Mean score, pooled over MMLU + GSM8K + ARC-C test")
            .xAxisTitle("router")
            .yAxisTitle("mean score")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.addSeries("pooled", new ArrayList<>(pooled.keySet()), new ArrayList<>(pooled.values()));
    BitmapEncoder.saveBitmap(
        chart, out.resolve("pooled-scores").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private void plotSweep(List<BudgetStudy.Point> points) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("MMLU score against the knowledge category's energy budget (reference fleet)")
            .xAxisTitle("energy budget per prompt (J)")
            .yAxisTitle("mean score on mmlu_test")
            .build();
    chart.getStyler().setXAxisLogarithmic(true);
    List<Double> x = points.stream().map(BudgetStudy.Point::budget).toList();
    chart.addSeries("MoE2 (DMO + gate)", x, points.stream().map(BudgetStudy.Point::moe2).toList());
    chart.addSeries("greedy + gate", x, points.stream().map(BudgetStudy.Point::greedy).toList());
    chart.addSeries(
        "random plans + gate", x, points.stream().map(BudgetStudy.Point::random).toList());
    chart.addSeries(
        "best single that fits",
        x,
        points.stream().map(p -> Double.isNaN(p.bestSingle()) ? 0.0 : p.bestSingle()).toList());
    BitmapEncoder.saveBitmap(
        chart, out.resolve("c3-energy").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Score against worst-case energy actually spent: the frontier each approach traces. */
  private void plotPareto(List<BudgetStudy.Point> points) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Pareto frontier: MMLU score against worst-case energy per prompt")
            .xAxisTitle("worst-case energy of the usable set (J)")
            .yAxisTitle("mean score on mmlu_test")
            .build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    List<BudgetStudy.Point> moe2 =
        points.stream().filter(p -> Double.isFinite(p.moe2EnergyJ())).toList();
    List<BudgetStudy.Point> single =
        points.stream().filter(p -> Double.isFinite(p.bestSingleEnergyJ())).toList();
    if (!moe2.isEmpty()) {
      chart.addSeries(
          "MoE2 (DMO + gate)",
          moe2.stream().map(BudgetStudy.Point::moe2EnergyJ).toList(),
          moe2.stream().map(BudgetStudy.Point::moe2).toList());
    }
    if (!single.isEmpty()) {
      chart.addSeries(
          "best single that fits",
          single.stream().map(BudgetStudy.Point::bestSingleEnergyJ).toList(),
          single.stream().map(BudgetStudy.Point::bestSingle).toList());
    }
    BitmapEncoder.saveBitmap(
        chart, out.resolve("c3-pareto").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  static String shortName(String expert) {
    return expert.substring(expert.indexOf('/') + 1);
  }

  private static void progress(String what) {
    System.err.println("eval-routing: " + what + " ...");
  }

  private static void progressBar(String what, int done, int total) {
    int width = 30;
    int filled = total == 0 ? width : (int) ((long) width * done / total);
    boolean terminal = System.console() != null;
    if (!terminal
        && done != total
        && done != 1
        && filled == (int) ((long) width * (done - 1) / total)) {
      return; // in a log, print only when the bar grows
    }
    System.err.print(
        String.format(
            Locale.ROOT,
            (terminal ? "\r" : "") + "%-32s [%s%s] %d/%d" + (terminal ? "" : "%n"),
            what,
            "=".repeat(filled),
            " ".repeat(width - filled),
            done,
            total));
    if (terminal && done == total) {
      System.err.println();
    }
  }
}
