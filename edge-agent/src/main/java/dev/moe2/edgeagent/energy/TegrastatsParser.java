package dev.moe2.edgeagent.energy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the power rails of one {@code tegrastats} line. Orin (JetPack 5/6) prints {@code
 * VDD_GPU_SOC 3150mW/2971mW} (current/average with units); Xavier, TX2 and Nano print {@code VDD_IN
 * 1649/1649} or {@code POM_5V_IN 2545/2547} (milliwatts, no unit). The current value is used, not
 * tegrastats' own running average.
 */
public final class TegrastatsParser {

  /** Rails that measure the whole module's input, best first. */
  public static final List<String> INPUT_RAILS = List.of("VDD_IN", "VIN_SYS_5V0", "POM_5V_IN");

  private static final Pattern RAIL =
      Pattern.compile(
          "\\b([A-Z][A-Z0-9_]*)\\s+(\\d+(?:\\.\\d+)?)(?:mW)?/(\\d+(?:\\.\\d+)?)(?:mW)?\\b");

  private TegrastatsParser() {}

  /** Rail name → current milliwatts, in line order; empty when the line has no rails. */
  public static Map<String, Double> rails(String line) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = RAIL.matcher(line);
    while (m.find()) {
      String name = m.group(1);
      if (name.equals("RAM") || name.equals("SWAP") || name.equals("IRAM")) {
        continue; // memory figures share the X/Y shape
      }
      out.put(name, Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /**
   * Watts drawn per the line: the sum of {@code rails} when given, else the module input rail
   * ({@link #INPUT_RAILS}), else the sum of every rail printed. Empty when none of it is there.
   */
  public static OptionalDouble watts(String line, List<String> rails) {
    Map<String, Double> all = rails(line);
    if (all.isEmpty()) {
      return OptionalDouble.empty();
    }
    if (rails != null && !rails.isEmpty()) {
      double sum = 0;
      for (String r : rails) {
        Double mw = all.get(r);
        if (mw == null) {
          return OptionalDouble.empty();
        }
        sum += mw;
      }
      return OptionalDouble.of(sum / 1000);
    }
    for (String input : INPUT_RAILS) {
      if (all.containsKey(input)) {
        return OptionalDouble.of(all.get(input) / 1000);
      }
    }
    return OptionalDouble.of(all.values().stream().mapToDouble(Double::doubleValue).sum() / 1000);
  }
}
