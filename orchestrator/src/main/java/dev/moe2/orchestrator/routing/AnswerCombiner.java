package dev.moe2.orchestrator.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Combines the answers of the k experts of one request (method.md §4):
 *
 * <ul>
 *   <li>one answer: it is the answer ({@link Rule#SINGLE});
 *   <li>every answer names an option (a letter A–E, "(B)", "The answer is C.", or one short word):
 *       a q-weighted vote over the normalised options ({@link Rule#OPTION_VOTE});
 *   <li>every answer ends in a number (GSM8K style, "… #### 1,250" or "The answer is 12.0"): a
 *       q-weighted vote over the normalised final numbers ({@link Rule#NUMBER_VOTE});
 *   <li>otherwise (free text, code, or a mix): the answer of the expert with the highest q ({@link
 *       Rule#HIGHEST_Q}).
 * </ul>
 *
 * Ties: between options with equal weight, the one whose best supporter has the higher q wins;
 * among the answers giving the winning option, the highest q; equal q keeps the earlier answer (the
 * experts arrive best-first). Pure: no clock, no I/O.
 */
public final class AnswerCombiner {

  /** How the returned answer was chosen. */
  public enum Rule {
    SINGLE,
    OPTION_VOTE,
    NUMBER_VOTE,
    HIGHEST_Q
  }

  /**
   * The combined answer.
   *
   * @param answer the answer returned (one of the inputs)
   * @param rule how it was chosen
   * @param key the option or number voted for; {@code null} for {@link Rule#HIGHEST_Q} and {@link
   *     Rule#SINGLE}
   */
  public record Combined<T>(T answer, Rule rule, String key) {}

  private static final Pattern OPTION =
      Pattern.compile(
          "^\\s*(?:the answer is\\s*)?\\(?([A-Ea-e])\\)?(?:[.):,]|\\s|$)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");

  private AnswerCombiner() {}

  /**
   * @param answers the answers received, best expert first; not empty
   * @param text an answer's text
   * @param quality its expert's q(x)
   */
  public static <T> Combined<T> combine(
      List<T> answers, Function<T, String> text, ToDoubleFunction<T> quality) {
    Objects.requireNonNull(answers, "answers");
    if (answers.isEmpty()) {
      throw new IllegalArgumentException("answers is empty: nothing to combine");
    }
    if (answers.size() == 1) {
      return new Combined<>(answers.get(0), Rule.SINGLE, null);
    }
    List<String> options = keys(answers, text, AnswerCombiner::option);
    if (options != null) {
      return vote(answers, options, quality, Rule.OPTION_VOTE);
    }
    List<String> numbers = keys(answers, text, AnswerCombiner::number);
    if (numbers != null) {
      return vote(answers, numbers, quality, Rule.NUMBER_VOTE);
    }
    return new Combined<>(highest(answers, quality), Rule.HIGHEST_Q, null);
  }

  /** The option an answer names: a letter A–E, or one short word (upper-cased); null otherwise. */
  static String option(String text) {
    String t = text.strip();
    Matcher m = OPTION.matcher(t);
    if (m.find()) {
      return m.group(1).toUpperCase(Locale.ROOT);
    }
    String word = t.replaceAll("[\\p{Punct}]+$", "");
    return !word.isEmpty() && !word.contains(" ") && word.length() <= 24 && !isNumber(word)
        ? word.toUpperCase(Locale.ROOT)
        : null;
  }

  /** The last number in an answer, normalised ("1,250.0" → "1250"); null when there is none. */
  static String number(String text) {
    Matcher m = NUMBER.matcher(text);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    if (last == null) {
      return null;
    }
    try {
      BigDecimal d = new BigDecimal(last.replace(",", "")).stripTrailingZeros();
      return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isNumber(String word) {
    return NUMBER.matcher(word).matches();
  }

  private static <T> List<String> keys(
      List<T> answers, Function<T, String> text, Function<String, String> key) {
    List<String> keys = new ArrayList<>();
    for (T a : answers) {
      String k = key.apply(text.apply(a));
      if (k == null) {
        return null;
      }
      keys.add(k);
    }
    return keys;
  }

  private static <T> Combined<T> vote(
      List<T> answers, List<String> keys, ToDoubleFunction<T> quality, Rule rule) {
    Map<String, Double> weight = new LinkedHashMap<>();
    Map<String, T> best = new LinkedHashMap<>();
    for (int i = 0; i < answers.size(); i++) {
      T a = answers.get(i);
      String k = keys.get(i);
      weight.merge(k, quality.applyAsDouble(a), Double::sum);
      T b = best.get(k);
      if (b == null || quality.applyAsDouble(a) > quality.applyAsDouble(b)) {
        best.put(k, a);
      }
    }
    String winner = null;
    for (String k : weight.keySet()) {
      if (winner == null) {
        winner = k;
        continue;
      }
      int c = Double.compare(weight.get(k), weight.get(winner));
      if (c > 0
          || c == 0
              && quality.applyAsDouble(best.get(k)) > quality.applyAsDouble(best.get(winner))) {
        winner = k;
      }
    }
    return new Combined<>(best.get(winner), rule, winner);
  }

  private static <T> T highest(List<T> answers, ToDoubleFunction<T> quality) {
    T best = answers.get(0);
    for (T a : answers) {
      if (quality.applyAsDouble(a) > quality.applyAsDouble(best)) {
        best = a;
      }
    }
    return best;
  }
}
