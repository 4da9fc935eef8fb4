package dev.moe2.edgeagent.backend;

import dev.moe2.protocol.FinishReason;
import java.time.Duration;
import java.util.Objects;

/**
 * A finished generation with its measured timings.
 *
 * @param text the answer
 * @param promptTokens tokens of the prompt
 * @param completionTokens tokens generated
 * @param finishReason stop (end token or stop string) or length (max tokens)
 * @param ttft time to the first generated token (includes prefill)
 * @param total wall time of the whole generation
 */
public record Generation(
    String text,
    int promptTokens,
    int completionTokens,
    FinishReason finishReason,
    Duration ttft,
    Duration total) {

  public Generation {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(ttft, "ttft");
    Objects.requireNonNull(total, "total");
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must be >= 0: promptTokens="
              + promptTokens
              + ", completionTokens="
              + completionTokens);
    }
    if (ttft.isNegative() || total.compareTo(ttft) < 0) {
      throw new IllegalArgumentException(
          "timings must satisfy 0 <= ttft <= total: ttft=" + ttft + ", total=" + total);
    }
  }

  /** Prefill time per prompt token (TTFT spread over the prompt). */
  public Duration prefillPerToken() {
    return promptTokens == 0 ? Duration.ZERO : ttft.dividedBy(promptTokens);
  }

  /** Decode time per generated token after the first. */
  public Duration decodePerToken() {
    return completionTokens <= 1
        ? Duration.ZERO
        : total.minus(ttft).dividedBy(completionTokens - 1);
  }
}
