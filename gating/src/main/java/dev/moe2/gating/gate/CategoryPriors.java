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
 * Per-prompt correctness is noisy, so where the gate is unsure the category's best expert wins;
 * {@code alpha_c} is chosen on a held-out split, and kept above 0 only when its gain over {@code
 * alpha_c = 0} there is significant: {@value #Z} standard errors of the paired per-prompt
 * difference, one-sided 95 % for the family of the {@code ALPHAS.length - 1} alphas tried
 * (Bonferroni: picking the best of 13 at 1.645 each finds a "significant" gain by chance far more
 * often than one time in twenty, and such a gain was seen to turn into a loss on the test split).
 * Ties go to the smaller alpha. With {@code alpha_c = 0} top-1 is the per-category best expert.
 */
public final class CategoryPriors {

  /** Version of the file format written by {@link #save}. */
  public static final int FORMAT_VERSION = 1;

  /** The alphas tried by {@link #fit}. */
  public static final double[] ALPHAS = {
    0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1
  };

  /**
   * Standard errors by which a gate-driven alpha must beat the prior alone on held-out prompts: the
   * one-sided normal quantile at 0.05 / 13 (the 13 alphas above 0), 2.66.
   */
  public static final double Z = 2.66;

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
          double bestAlpha = 0;
          if (q != null && q.length > 1) {
            double[] base = top1Scores(0, prior, q, y);
            double best = Double.NEGATIVE_INFINITY;
            for (double alpha : ALPHAS) {
              double[] scores = top1Scores(alpha, prior, q, y);
              double gain = 0;
              for (int i = 0; i < scores.length; i++) {
                gain += (scores[i] - base[i]) / scores.length;
              }
              double var = 0;
              for (int i = 0; i < scores.length; i++) {
                double d = scores[i] - base[i] - gain;
                var += d * d / (scores.length - 1);
              }
              double se = Math.sqrt(var / scores.length);
              if (gain > best + 1e-12 && (alpha == 0 || gain > Z * se)) {
                best = gain;
                bestAlpha = alpha;
              }
            }
          }
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
