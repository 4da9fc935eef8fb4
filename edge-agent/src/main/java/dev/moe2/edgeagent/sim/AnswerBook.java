package dev.moe2.edgeagent.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Recorded answers for evaluation runs: the RouterDC score files ({@code [{"question", "scores":
 * {model: score}}]}) of a folder. A simulated expert asked one of these questions answers {@value
 * #GOLD} when its recorded score says it was right, else {@value #WRONG}. Multiple-choice files
 * (MMLU, ARC, CMMLU, C-Eval) record the gold option's probability when the model's argmax was
 * right, else 0, so a score above 0 is right; the others (GSM8K, HumanEval, MBPP, MATH) record the
 * fraction of samples right, so the answer is right with that probability, drawn from a hash of
 * question and model (the same every time).
 */
public final class AnswerBook {

  public static final String GOLD = "GOLD";
  public static final String WRONG = "WRONG";

  private record Entry(Map<String, Double> scores, boolean multipleChoice) {}

  private final Map<String, Entry> byQuestion;

  private AnswerBook(Map<String, Entry> byQuestion) {
    this.byQuestion = Map.copyOf(byQuestion);
  }

  /** An empty book: every question gets the generic answer. */
  public static AnswerBook empty() {
    return new AnswerBook(Map.of());
  }

  /**
   * Loads every {@code *.json} score file of {@code dir}.
   *
   * @throws IllegalArgumentException naming the file and what is wrong
   */
  public static AnswerBook load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("answer book folder not found: " + dir.toAbsolutePath());
    }
    Map<String, Entry> all = new HashMap<>();
    ObjectMapper mapper = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    for (Path f : files) {
      String name = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
      boolean mc =
          name.startsWith("mmlu")
              || name.startsWith("arc")
              || name.startsWith("cmmlu")
              || name.startsWith("ceval");
      JsonNode root;
      try {
        root = mapper.readTree(f.toFile());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "answer book file " + f + " is not JSON: " + e.getMessage(), e);
      }
      if (!root.isArray()) {
        throw new IllegalArgumentException("answer book file " + f + ": $ must be an array");
      }
      for (int i = 0; i < root.size(); i++) {
        JsonNode r = root.get(i);
        JsonNode q = r.get("question");
        JsonNode scores = r.get("scores");
        if (q == null || !q.isTextual() || scores == null || !scores.isObject()) {
          throw new IllegalArgumentException(
              "answer book file "
                  + f
                  + ": $["
                  + i
                  + "] needs a text 'question' and an object 'scores'");
        }
        Map<String, Double> s = new HashMap<>();
        scores.fields().forEachRemaining(e -> s.put(e.getKey(), e.getValue().asDouble()));
        all.putIfAbsent(q.asText(), new Entry(s, mc));
      }
    }
    return new AnswerBook(all);
  }

  public int size() {
    return byQuestion.size();
  }

  /**
   * The recorded answer of {@code model} (its dataset name, e.g. {@code
   * HuggingFaceH4/zephyr-7b-beta}) to {@code question}; empty when the book does not hold it.
   */
  public Optional<String> answer(String question, String model) {
    Entry e = byQuestion.get(question);
    if (e == null || !e.scores().containsKey(model)) {
      return Optional.empty();
    }
    double score = e.scores().get(model);
    boolean right;
    if (e.multipleChoice()) {
      right = score > 0;
    } else {
      long h = (question.hashCode() * 31L + model.hashCode()) * 0x9E3779B97F4A7C15L;
      double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
      right = u < score;
    }
    return Optional.of(right ? GOLD : WRONG);
  }

  /** The recorded score of {@code model} on {@code question}, if held. */
  public Optional<Double> score(String question, String model) {
    Entry e = byQuestion.get(question);
    return e == null ? Optional.empty() : Optional.ofNullable(e.scores().get(model));
  }
}
