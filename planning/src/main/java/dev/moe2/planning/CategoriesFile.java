package dev.moe2.planning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.moe2.gating.data.DataFileException;
import dev.moe2.optimizer.AggregationTime;
import dev.moe2.optimizer.DelayRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A categories file (YAML): budgets, k, weights and typical lengths per category, the delay rule
 * and the aggregation time. Example: {@code
 * gating/src/main/resources/moe2/planning/categories.yaml}.
 */
public record CategoriesFile(
    List<CategoryConfig> categories, DelayRule delayRule, AggregationTime aggregation) {

  public static final String BUILT_IN = "/moe2/planning/categories.yaml";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Set<String> TOP_KEYS = Set.of("categories", "delayRule", "aggregation");
  private static final Set<String> CATEGORY_KEYS =
      Set.of(
          "id",
          "inputTokens",
          "outputTokens",
          "weight",
          "k",
          "delayBudgetS",
          "energyBudgetJ",
          "datasets");

  public CategoriesFile {
    categories = List.copyOf(categories);
  }

  /** The reference categories shipped with the planner (knowledge, math, reasoning, code). */
  public static CategoriesFile builtIn() {
    try (InputStream in = CategoriesFile.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("built-in categories missing from the jar: " + BUILT_IN);
      }
      return parse("classpath:" + BUILT_IN, YAML.readTree(in));
    } catch (IOException e) {
      throw new DataFileException(
          "classpath:" + BUILT_IN, "$", "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * @throws DataFileException naming the file, the key and the reason
   */
  public static CategoriesFile load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(
          file.toString(), "$", "no such file (looked for " + file.toAbsolutePath() + ")");
    }
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new DataFileException(file.toString(), "$", "not valid YAML: " + e.getMessage(), e);
    }
    return parse(file.toString(), root);
  }

  static CategoriesFile parse(String file, JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new DataFileException(file, "$", "expected a mapping with a 'categories' list");
    }
    unknownKeys(file, "$", root, TOP_KEYS);
    JsonNode list = root.get("categories");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new DataFileException(file, "$.categories", "missing or empty: list the categories");
    }
    List<CategoryConfig> categories = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String at = "$.categories[" + i + "]";
      if (!c.isObject()) {
        throw new DataFileException(file, at, "expected a mapping");
      }
      unknownKeys(file, at, c, CATEGORY_KEYS);
      String id = text(file, at + ".id", c.get("id"));
      if (!ids.add(id)) {
        throw new DataFileException(file, at + ".id", "duplicate category '" + id + "'");
      }
      int in = whole(file, at + ".inputTokens", c.get("inputTokens"), 0, 1_000_000);
      int out = whole(file, at + ".outputTokens", c.get("outputTokens"), 1, 1_000_000);
      double weight = number(file, at + ".weight", c.get("weight"), 0, 1e6);
      int k = whole(file, at + ".k", c.get("k"), 1, 16);
      double delay = number(file, at + ".delayBudgetS", c.get("delayBudgetS"), 0, 1e6);
      double energy = number(file, at + ".energyBudgetJ", c.get("energyBudgetJ"), 0, 1e9);
      List<String> datasets = new ArrayList<>();
      JsonNode ds = c.get("datasets");
      if (ds != null) {
        if (!ds.isArray()) {
          throw new DataFileException(file, at + ".datasets", "expected a list of file names");
        }
        ds.forEach(d -> datasets.add(text(file, at + ".datasets", d)));
      }
      categories.add(new CategoryConfig(id, in, out, weight, k, delay, energy, datasets));
    }
    if (!categories.isEmpty() && categories.stream().allMatch(c -> c.weight() == 0)) {
      throw new DataFileException(
          file,
          "$.categories[*].weight",
          "every weight is 0: the objective G weighs the categories, so with no weight no plan is"
              + " better than another; give at least one category a weight > 0");
    }
    DelayRule rule = DelayRule.PARALLEL_MAX;
    JsonNode r = root.get("delayRule");
    if (r != null) {
      rule =
          switch (text(file, "$.delayRule", r)) {
            case "parallel-max" -> DelayRule.PARALLEL_MAX;
            case "serial-sum" -> DelayRule.SERIAL_SUM;
            default ->
                throw new DataFileException(
                    file, "$.delayRule", "'" + r.asText() + "' is not parallel-max or serial-sum");
          };
    }
    AggregationTime agg = AggregationTime.NONE;
    JsonNode a = root.get("aggregation");
    if (a != null) {
      unknownKeys(file, "$.aggregation", a, Set.of("baseS", "perExtraExpertS"));
      agg =
          new AggregationTime(
              number(file, "$.aggregation.baseS", a.get("baseS"), 0, 60),
              number(file, "$.aggregation.perExtraExpertS", a.get("perExtraExpertS"), 0, 60));
    }
    return new CategoriesFile(categories, rule, agg);
  }

  private static void unknownKeys(String file, String at, JsonNode node, Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new DataFileException(
            file,
            at + "." + name,
            "unknown key; expected one of " + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  private static String text(String file, String key, JsonNode node) {
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw new DataFileException(file, key, "missing or not a non-empty string");
    }
    return node.asText();
  }

  /** A whole number (a count of tokens or experts): 300.7 is refused, not cut to 300. */
  private static int whole(String file, String key, JsonNode node, int min, int max) {
    double v = number(file, key, node, min, max);
    if (v != Math.rint(v)) {
      throw new DataFileException(file, key, "value " + v + " is not a whole number");
    }
    return (int) v;
  }

  private static double number(String file, String key, JsonNode node, double min, double max) {
    if (node == null || !node.isNumber()) {
      throw new DataFileException(file, key, "missing or not a number");
    }
    double v = node.asDouble();
    if (!(v >= min && v <= max)) {
      throw new DataFileException(
          file, key, "value " + v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }
}
