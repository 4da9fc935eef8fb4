package dev.moe2.optimizer;

/** Argument checks shared by the optimizer's value records; messages name the field and value. */
final class Checks {

  private Checks() {}

  static String id(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' must not be blank, got " + value);
    }
    return value;
  }

  static double positive(double value, String field) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must be a finite number > 0");
    }
    return value;
  }

  static double nonNegative(double value, String field) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must be a finite number >= 0");
    }
    return value;
  }
}
