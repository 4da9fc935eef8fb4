package dev.moe2.tools.routerbench;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.moe2.gating.data.DataFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a RouterBench zero-shot CSV ({@code ../shared/routing/routerdc/routerbench_zs/*.csv}): a
 * header row, then per prompt {@code sample_id}, {@code prompt} (quoted, multi-line), {@code
 * eval_name}, one score column per model, {@code model|model_response} and {@code model|total_cost}
 * columns, and {@code oracle_model_to_route_to}. Model columns are found from the header: a column
 * {@code M} is a model when {@code M|total_cost} exists too.
 */
public final class RouterBenchDataset {

  private static final CsvMapper CSV = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);

  private RouterBenchDataset() {}

  /**
   * @throws DataFileException naming the file, the row and the column when a value is bad
   */
  public static List<RouterBenchRecord> load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(file.toString(), "$", "no such file");
    }
    String f = file.toString();
    try (MappingIterator<Map<String, String>> rows =
        CSV.readerFor(Map.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(file.toFile())) {
      List<RouterBenchRecord> out = new ArrayList<>();
      List<String> models = null;
      int row = 1;
      while (rows.hasNext()) {
        Map<String, String> r = rows.next();
        row++;
        if (models == null) {
          models = new ArrayList<>();
          for (String column : r.keySet()) {
            if (r.containsKey(column + "|total_cost")) {
              models.add(column);
            }
          }
          if (models.isEmpty()) {
            throw new DataFileException(f, "header", "no model columns (M with M|total_cost)");
          }
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Double> costs = new LinkedHashMap<>();
        for (String m : models) {
          String score = r.get(m);
          if (score == null || score.isEmpty()) {
            continue; // the data has prompts some models were not scored on: no entry for them
          }
          scores.put(m, number(f, row, m, score));
          String cost = r.get(m + "|total_cost");
          if (cost != null && !cost.isEmpty()) {
            costs.put(m, number(f, row, m + "|total_cost", cost));
          }
        }
        out.add(
            new RouterBenchRecord(
                text(f, row, "sample_id", r.get("sample_id")),
                text(f, row, "prompt", r.get("prompt")),
                text(f, row, "eval_name", r.get("eval_name")),
                scores,
                costs));
      }
      return List.copyOf(out);
    } catch (IOException | RuntimeException e) {
      if (e instanceof DataFileException dfe) {
        throw dfe;
      }
      throw new DataFileException(f, "$", "not a readable RouterBench CSV: " + e.getMessage(), e);
    }
  }

  private static String text(String f, int row, String column, String value) {
    if (value == null || value.isEmpty()) {
      throw new DataFileException(f, "row " + row + "." + column, "missing");
    }
    return value;
  }

  private static double number(String f, int row, String column, String value) {
    try {
      return Double.parseDouble(text(f, row, column, value));
    } catch (NumberFormatException e) {
      throw new DataFileException(f, "row " + row + "." + column, "not a number: '" + value + "'");
    }
  }
}
