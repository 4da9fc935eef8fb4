package dev.moe2.simulator.replay;

import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.simulator.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Shapes replayed prompts as a scenario's {@link Scenario.Workload} says: a share of them gets a
 * prompt of a factor of its category's planned prompt length (the question repeated, at four
 * characters a token) and a {@code max_tokens} of a factor of its planned output; every request
 * asks for a k drawn from the workload's list. Seeded: the same seed gives the same requests.
 */
public final class LengthMix {

  /** Characters per token assumed when stretching (English with the Llama tokenizers). */
  static final int CHARS_PER_TOKEN = 4;

  private LengthMix() {}

  /** The built-in categories' planned lengths (and budgets), by id. */
  public static Map<String, CategoryConfig> plannedLengths() {
    Map<String, CategoryConfig> out = new java.util.LinkedHashMap<>();
    CategoriesFile.builtIn().categories().forEach(c -> out.put(c.id(), c));
    return out;
  }

  /**
   * @param planned the categories' planned lengths, by id
   * @throws IllegalArgumentException when a prompt's category has no planned lengths
   */
  public static List<PromptReplay.Prompt> shape(
      List<PromptReplay.Prompt> prompts,
      Scenario.Workload workload,
      Map<String, CategoryConfig> planned,
      long seed) {
    Random random = new Random(seed);
    List<PromptReplay.Prompt> out = new ArrayList<>(prompts.size());
    for (PromptReplay.Prompt p : prompts) {
      CategoryConfig c = planned.get(p.category());
      if (c == null) {
        throw new IllegalArgumentException(
            "category '"
                + p.category()
                + "' has no planned lengths (known: "
                + planned.keySet()
                + ")");
      }
      Integer k =
          workload.k().isEmpty() ? null : workload.k().get(random.nextInt(workload.k().size()));
      if (random.nextDouble() >= workload.longShare()) {
        out.add(
            new PromptReplay.Prompt(p.category(), p.question(), p.scores(), p.question(), null, k));
        continue;
      }
      double pf = draw(random, workload.promptFactor());
      double of = draw(random, workload.maxTokensFactor());
      int chars = (int) Math.ceil(pf * c.inputTokens() * CHARS_PER_TOKEN);
      int maxTokens = Math.max(1, (int) Math.round(of * c.outputTokens()));
      out.add(
          new PromptReplay.Prompt(
              p.category(), p.question(), p.scores(), stretch(p.question(), chars), maxTokens, k));
    }
    return List.copyOf(out);
  }

  /** The question repeated (blank line between) up to at least {@code chars} characters. */
  static String stretch(String question, int chars) {
    if (question.length() >= chars) {
      return question;
    }
    StringBuilder b = new StringBuilder(question);
    while (b.length() < chars) {
      b.append("\n\n").append(question);
    }
    return b.toString();
  }

  private static double draw(Random random, List<Double> range) {
    return range.get(0) + random.nextDouble() * (range.get(1) - range.get(0));
  }
}
