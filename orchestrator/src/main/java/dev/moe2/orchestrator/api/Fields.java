package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict readers of JSON request fields: a field of the wrong JSON type ({@code "x"} or {@code
 * true} for a number, {@code 1.9} for an integer), not finite, or outside its documented range is a
 * 400 naming the field, its value and the rule — never coerced.
 */
final class Fields {

  /** The largest delay budget accepted, seconds (one hour). */
  static final double MAX_DELAY_BUDGET_S = 3600;

  /** The largest energy budget accepted, joules (1 MJ). */
  static final double MAX_ENERGY_BUDGET_J = 1_000_000;

  /** The largest k accepted. */
  static final int MAX_K = 16;

  /** The largest max_tokens accepted. */
  static final int MAX_TOKENS = 131_072;

  private Fields() {}

  /**
   * An integer in [min, max], or null when absent or JSON null.
   *
   * @param name the field's name in messages (e.g. {@code moe2.k})
   */
  static Integer integer(JsonNode parent, String field, String name, int min, int max) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw invalid(name, v, "it must be an integer in [" + min + ", " + max + "]");
    }
    return v.asInt();
  }

  /**
   * A finite number in [min, max] (or (min, max] when {@code minExclusive}), or null when absent.
   */
  static Double number(
      JsonNode parent, String field, String name, double min, boolean minExclusive, double max) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    double d = v.isNumber() ? v.asDouble() : Double.NaN;
    boolean low = minExclusive ? d > min : d >= min;
    if (!v.isNumber() || !Double.isFinite(d) || !low || d > max) {
      throw invalid(
          name,
          v,
          "it must be a number in "
              + (minExclusive ? "(" : "[")
              + fmt(min)
              + ", "
              + fmt(max)
              + "]");
    }
    return d;
  }

  /** A boolean, or {@code fallback} when absent. */
  static boolean bool(JsonNode parent, String field, boolean fallback) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw invalid(field, v, "it must be true or false");
    }
    return v.asBoolean();
  }

  /** A delay budget, seconds: (0, {@link #MAX_DELAY_BUDGET_S}]. */
  static Double delayBudget(JsonNode parent, String field, String name) {
    return budget(parent, field, name, MAX_DELAY_BUDGET_S);
  }

  /** An energy budget, joules: (0, {@link #MAX_ENERGY_BUDGET_J}]. */
  static Double energyBudget(JsonNode parent, String field, String name) {
    return budget(parent, field, name, MAX_ENERGY_BUDGET_J);
  }

  private static Double budget(JsonNode parent, String field, String name, double max) {
    try {
      return number(parent, field, name, 0, true, max);
    } catch (ApiException e) {
      throw new ApiException(400, "invalid-budget", e.getMessage());
    }
  }

  static ApiException invalid(String name, Object value, String rule) {
    return new ApiException(
        400, "invalid-field", "field '" + name + "' has value " + value + ": " + rule);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
