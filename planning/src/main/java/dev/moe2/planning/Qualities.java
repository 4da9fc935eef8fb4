package dev.moe2.planning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.gating.data.DataFileException;
import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.profiles.ModelCatalog;
import dev.moe2.profiles.ModelDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per category, the predicted quality q[x][m] of every model m on each validation prompt x.
 *
 * <p>File format ({@code --qualities FILE}, JSON): {@code {"models": ["mistral-7b", ...],
 * "categories": {"knowledge": [[0.9, 0.1, ...], ...], ...}}}: one row per prompt, one value in [0,
 * 1] per model in the order of {@code models}.
 *
 * @param models model ids, the column order
 * @param byCategory per category id its rows
 */
public record Qualities(List<String> models, Map<String, float[][]> byCategory) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public Qualities {
    models = List.copyOf(models);
    byCategory = Map.copyOf(byCategory);
  }

  /**
   * @throws DataFileException naming the file, the key and the reason
   */
  public static Qualities load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(
          file.toString(), "$", "no such file (looked for " + file.toAbsolutePath() + ")");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new DataFileException(file.toString(), "$", "not valid JSON: " + e.getMessage(), e);
    }
    String f = file.toString();
    JsonNode models = root.get("models");
    if (models == null || !models.isArray() || models.isEmpty()) {
      throw new DataFileException(f, "$.models", "missing or empty: list the model ids");
    }
    List<String> ids = new ArrayList<>();
    models.forEach(m -> ids.add(m.asText()));
    JsonNode cats = root.get("categories");
    if (cats == null || !cats.isObject() || cats.isEmpty()) {
      throw new DataFileException(f, "$.categories", "missing or empty");
    }
    Map<String, float[][]> by = new LinkedHashMap<>();
    var it = cats.fields();
    while (it.hasNext()) {
      var e = it.next();
      String at = "$.categories." + e.getKey();
      if (!e.getValue().isArray() || e.getValue().isEmpty()) {
        throw new DataFileException(f, at, "expected a non-empty list of rows");
      }
      float[][] rows = new float[e.getValue().size()][];
      for (int x = 0; x < rows.length; x++) {
        JsonNode row = e.getValue().get(x);
        if (!row.isArray() || row.size() != ids.size()) {
          throw new DataFileException(
              f, at + "[" + x + "]", "expected " + ids.size() + " numbers, one per model");
        }
        rows[x] = new float[ids.size()];
        for (int m = 0; m < ids.size(); m++) {
          double q = row.get(m).asDouble(Double.NaN);
          if (!row.get(m).isNumber() || q < 0 || q > 1) {
            throw new DataFileException(
                f, at + "[" + x + "][" + m + "]", "not a number in [0, 1]: " + row.get(m));
          }
          rows[x][m] = (float) q;
        }
      }
      by.put(e.getKey(), rows);
    }
    return new Qualities(ids, by);
  }

  /**
   * The recorded RouterDC scores as qualities: for each category its {@code datasets} in {@code
   * dir}, every {@code stride}-th prompt so that at most {@code maxPrompts} remain; the fleet's
   * models are matched to RouterDC names by their catalog {@code name}.
   */
  public static Qualities fromRouterDc(
      Path dir, ModelCatalog catalog, CategoriesFile categories, int maxPrompts) {
    if (maxPrompts < 1) {
      throw new IllegalArgumentException(
          "maxPrompts has value " + maxPrompts + ": it must be >= 1");
    }
    List<String> ids = catalog.models().stream().map(ModelDescriptor::id).toList();
    Map<String, float[][]> by = new LinkedHashMap<>();
    for (CategoryConfig c : categories.categories()) {
      if (c.datasets().isEmpty()) {
        throw new DataFileException(
            "categories", c.id() + ".datasets", "no RouterDC dataset named for this category");
      }
      List<RouterDcRecord> records = new ArrayList<>();
      for (String name : c.datasets()) {
        records.addAll(RouterDcDataset.load(dir.resolve(name)));
      }
      int stride = Math.max(1, (records.size() + maxPrompts - 1) / maxPrompts);
      List<float[]> rows = new ArrayList<>();
      for (int i = 0; i < records.size(); i += stride) {
        RouterDcRecord r = records.get(i);
        float[] row = new float[ids.size()];
        for (int m = 0; m < ids.size(); m++) {
          String name = catalog.models().get(m).name();
          Double score = r.scores().get(name);
          if (score == null) {
            throw new DataFileException(
                dir.resolve(c.datasets().get(0)).toString(),
                "$[" + i + "].scores",
                "no score for model '" + name + "' (" + ids.get(m) + ")");
          }
          row[m] = (float) Math.max(0, Math.min(1, score));
        }
        rows.add(row);
      }
      by.put(c.id(), rows.toArray(float[][]::new));
    }
    return new Qualities(ids, by);
  }
}
