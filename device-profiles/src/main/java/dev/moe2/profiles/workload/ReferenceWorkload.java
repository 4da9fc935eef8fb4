package dev.moe2.profiles.workload;

import java.util.List;
import java.util.Objects;

/**
 * The reference workload, defined once: the application categories and the RouterDC benchmarks
 * whose prompts stand for each. The gate recipe trains on the train files, the evaluation and the
 * simulator's prompt replay use the test files, and the built-in categories file plans the same
 * category ids.
 */
public final class ReferenceWorkload {

  /** The application categories, in display order. */
  public static final List<String> CATEGORIES = List.of("knowledge", "math", "reasoning", "code");

  /**
   * One RouterDC benchmark.
   *
   * @param name e.g. {@code mmlu}
   * @param trainFile its train split under {@link SharedData#ROUTERDC}
   * @param testFile its test split
   * @param category the application category its prompts stand for
   * @param multipleChoice answers are option letters (voted on when k > 1)
   * @param headline its test split is one of the pooled headline splits and of the replay
   */
  public record Benchmark(
      String name,
      String trainFile,
      String testFile,
      String category,
      boolean multipleChoice,
      boolean headline) {
    public Benchmark {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(trainFile, "trainFile");
      Objects.requireNonNull(testFile, "testFile");
      if (!CATEGORIES.contains(category)) {
        throw new IllegalArgumentException(
            "category has value '" + category + "': it must be one of " + CATEGORIES);
      }
    }

    /** The test file's name without {@code .json}, e.g. {@code mmlu_test}. */
    public String testName() {
      return testFile.replace(".json", "");
    }
  }

  /** The benchmarks, in training order. */
  public static final List<Benchmark> BENCHMARKS =
      List.of(
          new Benchmark("mmlu", "mmlu_train.json", "mmlu_test.json", "knowledge", true, true),
          new Benchmark("gsm8k", "gsm8k-train.json", "gsm8k-test.json", "math", false, true),
          new Benchmark(
              "arc_challenge",
              "arc_challenge_train.json",
              "arc_challenge_test.json",
              "reasoning",
              true,
              true),
          new Benchmark(
              "humaneval", "humaneval_train.json", "humaneval_test.json", "code", false, false),
          new Benchmark(
              "arc_easy", "arc_easy_train.json", "arc_easy_test.json", "reasoning", true, false));

  private ReferenceWorkload() {}

  /** The benchmark that stands for {@code category} in the replay and the per-category studies. */
  public static Benchmark primary(String category) {
    return BENCHMARKS.stream()
        .filter(b -> b.category().equals(category))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "category has value '" + category + "': it must be one of " + CATEGORIES));
  }
}
