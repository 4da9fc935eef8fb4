package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.moe2.protocol.internal.Checks;
import java.util.List;

/**
 * How to generate.
 *
 * @param maxTokens the most tokens to generate
 * @param temperature 0 means greedy
 * @param topP nucleus sampling mass in (0, 1]
 * @param seed sampling seed; optional (the agent picks one and may report it)
 * @param stop stop sequences; optional
 */
public record GenerationParams(
    @JsonProperty(required = true) int maxTokens,
    @JsonProperty(required = true) double temperature,
    @JsonProperty(required = true) double topP,
    Long seed,
    List<String> stop) {

  public GenerationParams {
    Checks.positive(maxTokens, "params.maxTokens");
    Checks.inRange(temperature, 0, 2, "params.temperature");
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException(
          "field 'params.topP' has value " + topP + ": it must be in (0, 1]");
    }
    stop = Checks.listOrEmpty(stop, "params.stop");
  }

  public static GenerationParams greedy(int maxTokens) {
    return new GenerationParams(maxTokens, 0, 1, null, List.of());
  }
}
