package dev.moe2.gating.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.gating.data.DataFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The gating network (method.md §2): from a prompt embedding, every expert's predicted quality
 * q_n(x) ∈ [0, 1], each an independent sigmoid output of a one-hidden-layer MLP (ReLU), so the gate
 * trained on all experts is the gate for every subset. Immutable and thread-safe.
 */
public final class Gate {

  /** Version of the saved file format. */
  public static final int FORMAT_VERSION = 1;

  private final String encoderId;
  private final List<String> experts;
  private final int dimension;
  private final int hidden;
  final float[][] w1; // [hidden][dimension]
  final float[] b1; // [hidden]
  final float[][] w2; // [experts][hidden]
  final float[] b2; // [experts]

  Gate(
      String encoderId,
      List<String> experts,
      int dimension,
      int hidden,
      float[][] w1,
      float[] b1,
      float[][] w2,
      float[] b2) {
    this.encoderId = encoderId;
    this.experts = List.copyOf(experts);
    this.dimension = dimension;
    this.hidden = hidden;
    this.w1 = w1;
    this.b1 = b1;
    this.w2 = w2;
    this.b2 = b2;
  }

  public String encoderId() {
    return encoderId;
  }

  /** The experts (model ids) in output order. */
  public List<String> experts() {
    return experts;
  }

  public int dimension() {
    return dimension;
  }

  /** Predicted quality of every expert on the prompt with embedding {@code x}. */
  public double[] predict(float[] x) {
    if (x.length != dimension) {
      throw new IllegalArgumentException(
          "embedding has " + x.length + " values; this gate takes " + dimension);
    }
    double[] h = hidden(x);
    double[] q = new double[experts.size()];
    for (int e = 0; e < q.length; e++) {
      double z = b2[e];
      for (int j = 0; j < hidden; j++) {
        z += w2[e][j] * h[j];
      }
      q[e] = sigmoid(z);
    }
    return q;
  }

  double[] hidden(float[] x) {
    double[] h = new double[hidden];
    for (int j = 0; j < hidden; j++) {
      double z = b1[j];
      float[] row = w1[j];
      for (int i = 0; i < dimension; i++) {
        z += row[i] * x[i];
      }
      h[j] = Math.max(0, z);
    }
    return h;
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** Writes the gate as JSON with its format version, encoder id and experts. */
  public void save(Path file) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("encoderId", encoderId);
    root.set("experts", mapper.valueToTree(experts));
    root.put("dimension", dimension);
    root.put("hidden", hidden);
    root.set("w1", mapper.valueToTree(w1));
    root.set("b1", mapper.valueToTree(b1));
    root.set("w2", mapper.valueToTree(w2));
    root.set("b2", mapper.valueToTree(b2));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      mapper.disable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new DataFileException(file.toString(), "$", "cannot be written: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a saved gate and checks that it fits the encoder and experts in use.
   *
   * @throws DataFileException naming the file, the key and the reason (missing file, another format
   *     version, another encoder, other experts)
   */
  /**
   * The encoder a saved gate was trained over, or empty when {@code file} is missing or not a gate
   * (then {@link #load} says what is wrong).
   */
  public static java.util.Optional<String> encoderIdOf(Path file) {
    try {
      String id = new ObjectMapper().readTree(file.toFile()).path("encoderId").asText("");
      return id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id);
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  public static Gate load(Path file, String expectedEncoderId, List<String> expectedExperts) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(file.toString(), "$", "no such file");
    }
    String f = file.toString();
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
    String encoder = root.path("encoderId").asText();
    if (!encoder.equals(expectedEncoderId)) {
      throw new DataFileException(
          f,
          "$.encoderId",
          "the gate was trained on embeddings of '"
              + encoder
              + "', not of '"
              + expectedEncoderId
              + "'. Maybe retrain it with this encoder?");
    }
    List<String> experts = new ArrayList<>();
    root.path("experts").forEach(e -> experts.add(e.asText()));
    if (expectedExperts != null && !experts.equals(expectedExperts)) {
      throw new DataFileException(
          f,
          "$.experts",
          "the gate predicts " + experts + ", not the experts in use " + expectedExperts);
    }
    int dimension = root.path("dimension").asInt();
    int hidden = root.path("hidden").asInt();
    return new Gate(
        encoder,
        experts,
        dimension,
        hidden,
        matrix(root.path("w1"), hidden, dimension, f, "$.w1"),
        vector(root.path("b1"), hidden, f, "$.b1"),
        matrix(root.path("w2"), experts.size(), hidden, f, "$.w2"),
        vector(root.path("b2"), experts.size(), f, "$.b2"));
  }

  private static float[][] matrix(JsonNode node, int rows, int cols, String f, String key) {
    if (!node.isArray() || node.size() != rows) {
      throw new DataFileException(f, key, "expected " + rows + " rows");
    }
    float[][] m = new float[rows][];
    for (int r = 0; r < rows; r++) {
      m[r] = vector(node.get(r), cols, f, key + "[" + r + "]");
    }
    return m;
  }

  private static float[] vector(JsonNode node, int size, String f, String key) {
    if (!node.isArray() || node.size() != size) {
      throw new DataFileException(f, key, "expected " + size + " numbers");
    }
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) node.get(i).asDouble();
    }
    return v;
  }
}
