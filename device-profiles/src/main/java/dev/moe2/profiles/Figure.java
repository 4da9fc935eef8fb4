package dev.moe2.profiles;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A number with its provenance: published (with the public source it comes from) or derived (with
 * the rule that derived it). Every figure in a profile file is one of these.
 *
 * @param value the number, in the unit its field names
 * @param source the public source of a published figure; {@code null} when derived
 * @param derived the rule of a derived figure; {@code null} when published
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Figure(double value, String source, String derived) {

  public Figure {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "field 'value' has value " + value + ": it must be finite");
    }
    if ((source == null) == (derived == null)) {
      throw new IllegalArgumentException(
          "a figure needs exactly one of 'source' (published) or 'derived' (the rule), got source="
              + source
              + ", derived="
              + derived);
    }
  }

  public static Figure published(double value, String source) {
    return new Figure(value, Objects.requireNonNull(source, "source"), null);
  }

  public static Figure derived(double value, String rule) {
    return new Figure(value, null, Objects.requireNonNull(rule, "rule"));
  }

  @JsonIgnore
  public boolean isDerived() {
    return derived != null;
  }

  /** The source or the rule, whichever this figure has. */
  @JsonIgnore
  public String provenance() {
    return isDerived() ? "derived: " + derived : source;
  }
}
