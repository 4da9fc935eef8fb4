package dev.moe2.gating.eval;

import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.gate.CategoryPredictor;
import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.gate.GateTrainer;
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

  /** Train and test files, their category and whether answers are option letters. */
  static final List<String[]> DATASETS =
      List.of(
          new String[] {"mmlu_train.json", "mmlu_test.json", "knowledge", "mc"},
          new String[] {"gsm8k-train.json", "gsm8k-test.json", "math", "text"},
          new String[] {"arc_challenge_train.json", "arc_challenge_test.json", "reasoning", "mc"},
          new String[] {"humaneval_train.json", "humaneval_test.json", "code", "text"},
          new String[] {"arc_easy_train.json", "arc_easy_test.json", "reasoning", "mc"});

  /** The test splits pooled in the headline figures (as in shared/README.md). */
  static final List<String> POOLED = List.of("mmlu_test", "gsm8k-test", "arc_challenge_test");

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

  @Option(
      names = "--c4-train-size",
      defaultValue = "1500",
      description = "Train prompts for the C4 subset study (0: skip it).")
  int c4TrainSize;

  private final PrintStream stdout = System.out;

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
    Path dir = shared.resolve("routing/routerdc/split2_model7");
    if (!Files.isDirectory(dir)) {
      System.err.println("error: RouterDC data not found at " + dir.toAbsolutePath());
      return 2;
    }
    Files.createDirectories(out);
    List<String> experts = null;
    List<Split> train = new ArrayList<>();
    List<Split> test = new ArrayList<>();
    try (MiniLmEncoder encoder = new MiniLmEncoder(2)) {
      EmbeddingCache embeddings = new EmbeddingCache(encoder, cache);
      for (String[] d : DATASETS) {
        List<RouterDcRecord> tr = limit(RouterDcDataset.load(dir.resolve(d[0])));
        List<RouterDcRecord> te = limit(RouterDcDataset.load(dir.resolve(d[1])));
        if (experts == null) {
          experts = List.copyOf(tr.get(0).scores().keySet());
        }
        train.add(split(d[0], d[2], d[3], tr, experts, embeddings));
        test.add(split(d[1], d[2], d[3], te, experts, embeddings));
      }
      System.err.println();

      List<float[]> trainX = new ArrayList<>();
      List<String> trainLabels = new ArrayList<>();
      List<double[]> trainRows = new ArrayList<>();
      for (Split s : train) {
        trainX.addAll(s.x());
        for (int i = 0; i < s.size(); i++) {
          trainLabels.add(s.category());
          trainRows.add(s.y()[i]);
        }
      }
      double[][] trainY = trainRows.toArray(double[][]::new);
      progress("training the gate on " + trainX.size() + " prompts");
      GateTrainer.Result trained =
          GateTrainer.defaults(seed).train(trainX, trainY, experts, encoder.id());
      Gate gate = trained.gate();
      gate.save(out.resolve("gate.json"));
      progress("training the category predictor");
      List<String> categories = List.of("knowledge", "math", "reasoning", "code");
      CategoryPredictor predictor =
          CategoryPredictor.train(
              GateTrainer.defaults(seed), trainX, trainLabels, categories, encoder.id());
      predictor.network().save(out.resolve("category-predictor.json"));

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
        r.put("gate top-1", Routers.gateTopK(s, gate, 1));
        r.put("gate top-2 vote", Routers.gateTopK(s, gate, 2));
        r.put("gate top-3 vote", Routers.gateTopK(s, gate, 3));
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
      return report(experts, test, results, ece, categoryAccuracy, trained.report(), c4);
    }
  }

  private List<RouterDcRecord> limit(List<RouterDcRecord> records) {
    if (maxPrompts <= 0 || records.size() <= maxPrompts) {
      return records;
    }
    List<RouterDcRecord> out = new ArrayList<>();
    int stride = records.size() / maxPrompts;
    for (int i = 0; i < records.size() && out.size() < maxPrompts; i += stride) {
      out.add(records.get(i));
    }
    return out;
  }

  private Split split(
      String file,
      String category,
      String kind,
      List<RouterDcRecord> records,
      List<String> experts,
      EmbeddingCache embeddings) {
    String name = file.replace(".json", "");
    List<float[]> x =
        embeddings.embed(
            records.stream().map(RouterDcRecord::question).toList(),
            done -> progressBar("embedding " + name, done, records.size()));
    return new Split(name, category, kind.equals("mc"), records, x, Split.scores(records, experts));
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
      List<SubsetProperty.Row> c4)
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
    md.append(
        "Vote rule (k > 1, multiple choice): q-weighted; every wrong vote is assumed to name the"
            + " same wrong option, so a vote is right only when its right voters weigh more than"
            + " half; free-text answers (GSM8K, HumanEval) take the highest-q answer.\n");
    Files.writeString(out.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("scores.csv"), csv.toString(), StandardCharsets.UTF_8);
    plot(pooled);

    stdout.print(md);
    stdout.printf(
        Locale.ROOT,
        "routing gate_top1_pooled=%.3f per_category_best_pooled=%.3f knn_pooled=%.3f"
            + " best_single_pooled=%.3f gate_top2_pooled=%.3f gate_top3_pooled=%.3f"
            + " oracle_pooled=%.3f ece=%.4f category_accuracy=%.3f c3_violations=NA"
            + " c4_mean_gap=%.4f c4_worst_gap=%.4f%n",
        pooled.get("gate top-1"),
        pooled.get("per-category best"),
        pooled.get("kNN (k=" + knnK + ")"),
        bestSingle,
        pooled.get("gate top-2 vote"),
        pooled.get("gate top-3 vote"),
        pooled.get("oracle"),
        ece,
        categoryAccuracy,
        c4Mean,
        c4Worst);
    return 0;
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

  static String shortName(String expert) {
    return expert.substring(expert.indexOf('/') + 1);
  }

  private static void progress(String what) {
    System.err.println("eval-routing: " + what + " ...");
  }

  private static void progressBar(String what, int done, int total) {
    int width = 30;
    int filled = total == 0 ? width : (int) ((long) width * done / total);
    System.err.print(
        String.format(
            Locale.ROOT,
            "\r%-32s [%s%s] %d/%d",
            what,
            "=".repeat(filled),
            " ".repeat(width - filled),
            done,
            total));
    if (done == total) {
      System.err.println();
    }
  }
}
