package dev.moe2.gating.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.gating.data.DataFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shrinks the gate's per-prompt qualities toward each category's prior (the experts' mean recorded
 * score on the category's train prompts): {@code q'(x) = alpha_c q(x) + (1 - alpha_c) prior_c}.
 * Per-prompt correctness is noisy, so where the gate is unsure the category's best expert wins.
 * {@code alpha_c} is chosen on held-out predictions by <em>nested</em> cross-validation: in each of
 * {@value #OUTER_FOLDS} outer folds the alpha is picked on the other folds and scored on this one,
 * so the gain measured is that of the rule "pick alpha, then use it" — not the best of 14 alphas,
 * whose gain is biased upward by the picking (a Bonferroni-corrected best-of-14 was seen to keep a
 * gain that turned into a loss on the test split). The gate is kept ({@code alpha_c > 0}, picked on
 * all held-out prompts) only when that out-of-sample gain over {@code alpha_c = 0} is positive by
 * {@value #Z} standard errors of the paired per-prompt difference (one-sided 95 %), and when it is
 * not negative in any outer fold by more than {@value #Z} of that fold's standard errors. Ties go
 * to the smaller alpha. With {@code alpha_c = 0} top-1 is the per-category best expert.
 */
public final class CategoryPriors {

  /** Version of the file format written by {@link #save}. */
  public static final int FORMAT_VERSION = 1;

  /** The alphas tried by {@link #fit}. */
  public static final double[] ALPHAS = {
    0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1
  };

  /**
   * Standard errors by which the nested cross-validated gain over the prior alone must be positive:
   * the one-sided normal quantile at 0.05.
   */
  public static final double Z = 1.645;

  /** The least out-of-sample gain in mean top-1 score for which the gate is kept over the prior. */
  public static final double MIN_GAIN = 0.005;

  /** Outer folds of the nested cross-validation (prompt {@code i} is in fold {@code i % 5}). */
  public static final int OUTER_FOLDS = 5;

  /** One category: its alpha and its prior per expert. */
  public record Prior(double alpha, double[] prior) {
    public Prior {
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new IllegalArgumentException("alpha must be in [0, 1]: " + alpha);
      }
      prior = prior.clone();
    }
  }

  private final List<String> experts;
  private final Map<String, Prior> byCategory;

  public CategoryPriors(List<String> experts, Map<String, Prior> byCategory) {
    this.experts = List.copyOf(experts);
    this.byCategory = Map.copyOf(byCategory);
    byCategory.forEach(
        (c, p) -> {
          if (p.prior().length != experts.size()) {
            throw new IllegalArgumentException(
                "prior of category "
                    + c
                    + " has "
                    + p.prior().length
                    + " values for "
                    + experts.size()
                    + " experts");
          }
        });
  }

  public List<String> experts() {
    return experts;
  }

  /** The category's prior, or empty when the category is unknown. */
  public java.util.Optional<Prior> prior(String category) {
    return java.util.Optional.ofNullable(byCategory.get(category));
  }

  /** {@code q} shrunk toward the category's prior; unchanged for a category without one. */
  public double[] shrink(String category, double[] q) {
    Prior p = byCategory.get(category);
    if (p == null) {
      return q;
    }
    double[] out = new double[q.length];
    for (int e = 0; e < q.length; e++) {
      out[e] = p.alpha() * q[e] + (1 - p.alpha()) * p.prior()[e];
    }
    return out;
  }

  /**
   * Fits priors and alphas.
   *
   * @param trainY recorded scores of each category's train prompts (the priors)
   * @param heldOutQ the gate's q on each category's held-out prompts
   * @param heldOutY their recorded scores (alpha maximises top-1's mean score there)
   */
  public static CategoryPriors fit(
      List<String> experts,
      Map<String, double[][]> trainY,
      Map<String, double[][]> heldOutQ,
      Map<String, double[][]> heldOutY) {
    Map<String, Prior> by = new LinkedHashMap<>();
    trainY.forEach(
        (category, ys) -> {
          double[] prior = new double[experts.size()];
          for (double[] y : ys) {
            for (int e = 0; e < prior.length; e++) {
              prior[e] += y[e] / ys.length;
            }
          }
          double[][] q = heldOutQ.get(category);
          double[][] y = heldOutY.get(category);
          double bestAlpha =
              q != null && q.length >= 2 * OUTER_FOLDS ? nestedAlpha(prior, q, y) : 0;
          by.put(category, new Prior(bestAlpha, prior));
        });
    return new CategoryPriors(experts, by);
  }

  /**
   * Fits the priors on out-of-fold predictions: {@code folds} gates, each trained by {@code
   * trainer} without one fold of the prompts (every {@code folds}-th), predict that fold.
   *
   * @param labels the category of each prompt
   * @param progress told the number of folds done
   */
  public static CategoryPriors fitOutOfFold(
      GateTrainer trainer,
      List<float[]> x,
      double[][] y,
      List<String> labels,
      List<String> experts,
      String encoderId,
      int folds,
      java.util.function.IntConsumer progress) {
    if (folds < 2) {
      throw new IllegalArgumentException("folds must be >= 2: " + folds);
    }
    double[][] oof = new double[x.size()][];
    for (int f = 0; f < folds; f++) {
      List<float[]> fx = new ArrayList<>();
      List<double[]> fy = new ArrayList<>();
      for (int i = 0; i < x.size(); i++) {
        if (i % folds != f) {
          fx.add(x.get(i));
          fy.add(y[i]);
        }
      }
      Gate g = trainer.train(fx, fy.toArray(double[][]::new), experts, encoderId).gate();
      for (int i = f; i < x.size(); i += folds) {
        oof[i] = g.predict(x.get(i));
      }
      progress.accept(f + 1);
    }
    Map<String, List<double[]>> q = new LinkedHashMap<>();
    Map<String, List<double[]>> ys = new LinkedHashMap<>();
    for (int i = 0; i < x.size(); i++) {
      q.computeIfAbsent(labels.get(i), c -> new ArrayList<>()).add(oof[i]);
      ys.computeIfAbsent(labels.get(i), c -> new ArrayList<>()).add(y[i]);
    }
    Map<String, double[][]> qa = new LinkedHashMap<>();
    Map<String, double[][]> ya = new LinkedHashMap<>();
    q.forEach((c, rows) -> qa.put(c, rows.toArray(double[][]::new)));
    ys.forEach((c, rows) -> ya.put(c, rows.toArray(double[][]::new)));
    return fit(experts, ya, qa, ya);
  }

  /**
   * The alpha picked on all of {@code q} when the nested cross-validated gain of picking it is
   * significant (see the class comment); else 0.
   */
  private static double nestedAlpha(double[] prior, double[][] q, double[][] y) {
    double[][] gains = new double[ALPHAS.length][];
    double[] base = top1Scores(0, prior, q, y);
    for (int a = 0; a < ALPHAS.length; a++) {
      double[] scores = top1Scores(ALPHAS[a], prior, q, y);
      gains[a] = new double[q.length];
      for (int i = 0; i < q.length; i++) {
        gains[a][i] = scores[i] - base[i];
      }
    }
    double[] outer = new double[q.length];
    for (int f = 0; f < OUTER_FOLDS; f++) {
      int held = f;
      int inner = pick(gains, i -> i % OUTER_FOLDS != held);
      List<Double> fold = new ArrayList<>();
      for (int i = f; i < q.length; i += OUTER_FOLDS) {
        outer[i] = gains[inner][i];
        fold.add(outer[i]);
      }
      double[] m = meanAndSe(fold.stream().mapToDouble(Double::doubleValue).toArray());
      if (m[0] < -Z * m[1]) {
        return 0; // the rule loses significantly on part of the data: not stable enough to keep
      }
    }
    double[] m = meanAndSe(outer);
    return m[0] > Z * m[1] && m[0] >= MIN_GAIN ? ALPHAS[pick(gains, i -> true)] : 0;
  }

  /** The alpha index with the largest mean gain over the prompts {@code in} takes (ties: lower). */
  private static int pick(double[][] gains, java.util.function.IntPredicate in) {
    int best = 0;
    double bestGain = Double.NEGATIVE_INFINITY;
    for (int a = 0; a < gains.length; a++) {
      double sum = 0;
      for (int i = 0; i < gains[a].length; i++) {
        sum += in.test(i) ? gains[a][i] : 0;
      }
      if (sum > bestGain + 1e-12) {
        bestGain = sum;
        best = a;
      }
    }
    return best;
  }

  /** Mean and standard error of the mean. */
  private static double[] meanAndSe(double[] d) {
    double mean = 0;
    for (double v : d) {
      mean += v / d.length;
    }
    double var = 0;
    for (double v : d) {
      var += (v - mean) * (v - mean) / Math.max(1, d.length - 1);
    }
    return new double[] {mean, Math.sqrt(var / d.length)};
  }

  private static double[] top1Scores(double alpha, double[] prior, double[][] q, double[][] y) {
    double[] out = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int e = 0; e < prior.length; e++) {
        double v = alpha * q[i][e] + (1 - alpha) * prior[e];
        if (v > bestValue) {
          bestValue = v;
          best = e;
        }
      }
      out[i] = y[i][best];
    }
    return out;
  }

  /** Writes the priors as JSON with the format version and the experts. */
  public void save(Path file) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.set("experts", mapper.valueToTree(experts));
    ObjectNode cats = root.putObject("categories");
    byCategory.forEach(
        (c, p) -> {
          ObjectNode n = cats.putObject(c);
          n.put("alpha", p.alpha());
          n.set("prior", mapper.valueToTree(p.prior()));
        });
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new DataFileException(file.toString(), "$", "cannot be written: " + e.getMessage(), e);
    }
  }

  /**
   * Reads saved priors and checks they are for {@code expectedExperts}.
   *
   * @throws DataFileException naming the file, the key and the reason
   */
  public static CategoryPriors load(Path file, List<String> expectedExperts) {
    String f = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(f, "$", "no such file");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new DataFileException(f, "$", "not valid JSON: " + e.getMessage(), e);
    }
    int version = root.path("formatVersion").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new DataFileException(
          f, "$.formatVersion", version + " is not supported; this code reads " + FORMAT_VERSION);
    }
    List<String> experts = new ArrayList<>();
    root.path("experts").forEach(e -> experts.add(e.asText()));
    if (!experts.equals(expectedExperts)) {
      throw new DataFileException(
          f, "$.experts", "the priors are for " + experts + ", not for " + expectedExperts);
    }
    Map<String, Prior> by = new LinkedHashMap<>();
    var fields = root.path("categories").fields();
    while (fields.hasNext()) {
      var entry = fields.next();
      String key = "$.categories." + entry.getKey();
      JsonNode alpha = entry.getValue().path("alpha");
      JsonNode prior = entry.getValue().path("prior");
      if (!alpha.isNumber() || alpha.asDouble() < 0 || alpha.asDouble() > 1) {
        throw new DataFileException(f, key + ".alpha", "must be a number in [0, 1]: " + alpha);
      }
      if (!prior.isArray() || prior.size() != experts.size()) {
        throw new DataFileException(
            f, key + ".prior", "must be an array of " + experts.size() + " numbers");
      }
      double[] p = new double[experts.size()];
      for (int e = 0; e < p.length; e++) {
        p[e] = prior.get(e).asDouble();
      }
      by.put(entry.getKey(), new Prior(alpha.asDouble(), p));
    }
    return new CategoryPriors(experts, by);
  }
}
