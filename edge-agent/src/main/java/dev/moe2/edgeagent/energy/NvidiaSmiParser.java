package dev.moe2.edgeagent.energy;

import java.util.OptionalDouble;

/**
 * Parses lines of {@code nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits -lms N}:
 * one line per sample, one comma-separated value per GPU (watts; {@code [N/A]} or {@code [Not
 * Supported]} when the board cannot say). With units ({@code 65.32 W}) the unit is stripped.
 */
public final class NvidiaSmiParser {

  private NvidiaSmiParser() {}

  /** Watts of the GPU at {@code index} in this line; empty for a header or a value it lacks. */
  public static OptionalDouble watts(String line, int index) {
    String[] parts = line.split(",");
    if (index >= parts.length) {
      return OptionalDouble.empty();
    }
    String v = parts[index].trim();
    if (v.endsWith("W")) {
      v = v.substring(0, v.length() - 1).trim();
    }
    try {
      double w = Double.parseDouble(v);
      return Double.isFinite(w) && w >= 0 ? OptionalDouble.of(w) : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty(); // a header, [N/A], [Not Supported]
    }
  }
}
