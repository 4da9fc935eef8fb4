package dev.moe2.edgeagent.backend;

import java.time.Duration;

/**
 * Generation stopped during the prefill, before any token, because the request's energy cap was
 * reached ({@link Cancellation#stopBefore} with no token done): there is no answer to give. Thrown
 * by backends that prefill in chunks and can stop between them.
 */
public final class GenerationStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int promptTokens;
  private final transient Duration busy;

  public GenerationStoppedException(int promptTokens, Duration busy) {
    super(
        "the prefill of "
            + promptTokens
            + " prompt tokens reached the energy cap after "
            + busy.toMillis()
            + " ms; stopped before the first token");
    this.promptTokens = promptTokens;
    this.busy = busy;
  }

  public int promptTokens() {
    return promptTokens;
  }

  /** How long the device worked on it before it stopped. */
  public Duration busy() {
    return busy;
  }
}
