package dev.moe2.gating.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a RouterDC score file ({@code ../shared/routing/routerdc/split2_model7/*.json}): a JSON
 * array of {@code {"question": str, "scores": {model: number}}} (some files add other keys, which
 * are ignored). Streams the array, so large files do not need a tree in memory.
 */
public final class RouterDcDataset {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RouterDcDataset() {}

  /**
   * @throws DataFileException naming the file, the record index and the key when the file is
   *     missing or a record is malformed
   */
  public static List<RouterDcRecord> load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(
          file.toString(), "$", "no such file (is the shared data folder where you think it is?)");
    }
    List<RouterDcRecord> records = new ArrayList<>();
    try (JsonParser parser = MAPPER.createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new DataFileException(file.toString(), "$", "expected a JSON array of records");
      }
      int index = 0;
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        JsonNode node = MAPPER.readTree(parser);
        records.add(record(file, index++, node));
      }
    } catch (IOException e) {
      throw new DataFileException(file.toString(), "$", "not valid JSON: " + e.getMessage(), e);
    }
    return List.copyOf(records);
  }

  private static RouterDcRecord record(Path file, int index, JsonNode node) {
    String at = "$[" + index + "]";
    JsonNode question = node.get("question");
    if (question == null || !question.isTextual()) {
      throw new DataFileException(file.toString(), at + ".question", "missing or not a string");
    }
    JsonNode scores = node.get("scores");
    if (scores == null || !scores.isObject() || scores.isEmpty()) {
      throw new DataFileException(file.toString(), at + ".scores", "missing or not an object");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    var fields = scores.fields();
    while (fields.hasNext()) {
      var f = fields.next();
      if (!f.getValue().isNumber()) {
        throw new DataFileException(
            file.toString(), at + ".scores." + f.getKey(), "not a number: " + f.getValue());
      }
      values.put(f.getKey(), f.getValue().asDouble());
    }
    return new RouterDcRecord(question.asText(), values);
  }
}
