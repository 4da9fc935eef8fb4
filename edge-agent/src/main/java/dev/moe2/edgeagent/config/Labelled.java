package dev.moe2.edgeagent.config;

import java.util.Arrays;
import java.util.Locale;

/** A config value with a fixed set of labels (an enum). */
interface Labelled {

  String label();

  /**
   * The constant of {@code type} labelled {@code value} (case-insensitive), {@code fallback} when
   * it is null.
   *
   * @throws ConfigException naming {@code key}, the value and the allowed labels
   */
  static <E extends Enum<E> & Labelled> E parse(
      Class<E> type, String key, String value, E fallback) {
    if (value == null) {
      return fallback;
    }
    String v = value.toLowerCase(Locale.ROOT);
    E[] all = type.getEnumConstants();
    return Arrays.stream(all)
        .filter(k -> k.label().equals(v))
        .findFirst()
        .orElseThrow(
            () ->
                new ConfigException(
                    key,
                    "'"
                        + value
                        + "' is not one of "
                        + Arrays.stream(all).map(Labelled::label).toList()));
  }
}
