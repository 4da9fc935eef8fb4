package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.moe2.protocol.internal.Checks;

/** An amount of energy in joules; never negative. */
public record Joules(@JsonValue double value) implements Comparable<Joules> {

  public static final Joules ZERO = new Joules(0);

  public Joules {
    Checks.nonNegative(value, "joules");
  }

  @JsonCreator
  public static Joules of(double value) {
    return new Joules(value);
  }

  public Joules plus(Joules other) {
    return new Joules(value + other.value);
  }

  @Override
  public int compareTo(Joules other) {
    return Double.compare(value, other.value);
  }

  @Override
  public String toString() {
    return value + " J";
  }
}
