package dev.moe2.edgeagent.energy;

import java.time.Duration;
import java.util.Objects;

/**
 * What a request did, for meters that model energy instead of measuring it.
 *
 * @param sizeClass the model's size class in the device profile (e.g. {@code 7b-q4})
 * @param promptTokens prompt tokens
 * @param completionTokens generated tokens
 * @param busy how long the device worked on it (the reported latency)
 */
public record Work(String sizeClass, int promptTokens, int completionTokens, Duration busy) {
  public Work {
    Objects.requireNonNull(sizeClass, "sizeClass");
    Objects.requireNonNull(busy, "busy");
  }
}
