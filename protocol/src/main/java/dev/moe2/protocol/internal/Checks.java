package dev.moe2.protocol.internal;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Templated argument checks for the compact constructors of the protocol's records. */
public final class Checks {

  /** An MQTT topic level we build from an id: no separators, wildcards or control characters. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Checks() {}

  public static <T> T notNull(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("field '" + field + "' is required but was null");
    }
    return value;
  }

  public static String notBlank(String value, String field) {
    notNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException("field '" + field + "' must not be blank");
    }
    return value;
  }

  public static String segment(String value, String field) {
    notNull(value, field);
    if (!SEGMENT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "field '"
              + field
              + "' has value '"
              + value
              + "': it must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit"
              + " (it becomes an MQTT topic level)");
    }
    return value;
  }

  public static long positive(long value, String field) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must be > 0");
    }
    return value;
  }

  public static long nonNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must be >= 0");
    }
    return value;
  }

  public static double nonNegative(double value, String field) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must be a finite number >= 0");
    }
    return value;
  }

  public static double inRange(double value, double min, double max, String field) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          "field '"
              + field
              + "' has value "
              + value
              + ": it must be between "
              + min
              + " and "
              + max);
    }
    return value;
  }

  public static Duration nonNegative(Duration value, String field) {
    notNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          "field '" + field + "' has value " + value + ": it must not be negative");
    }
    return value;
  }

  /** A defensive immutable copy; a missing list is an empty one. */
  public static <T> List<T> listOrEmpty(List<T> value, String field) {
    if (value == null) {
      return List.of();
    }
    for (int i = 0; i < value.size(); i++) {
      notNull(value.get(i), field + "[" + i + "]");
    }
    return List.copyOf(value);
  }

  public static <T> List<T> nonEmptyList(List<T> value, String field) {
    List<T> copy = listOrEmpty(notNull(value, field), field);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("field '" + field + "' must not be empty");
    }
    return copy;
  }
}
