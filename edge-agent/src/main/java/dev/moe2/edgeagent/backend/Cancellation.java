package dev.moe2.edgeagent.backend;

import java.time.Duration;

/**
 * Asked between tokens whether to stop: {@link #cancelled()} is a hard stop (a deadline passed, the
 * agent is shutting down: generation throws {@link GenerationCancelledException}); {@link
 * #stopBefore} a soft one (the request's energy cap or its deadline is near: the answer so far goes
 * out with the finish reason it returns).
 */
@FunctionalInterface
public interface Cancellation {

  /** Never cancels. */
  Cancellation NONE = () -> false;

  boolean cancelled();

  /**
   * Asked before generating token {@code tokensDone + 1}; with {@code tokensDone == 0}, between
   * chunks of the prefill by backends that prefill in chunks (a stop there ends in {@link
   * GenerationStoppedException}: there is no answer yet).
   *
   * @param promptTokens the prompt's tokens as the backend counted them
   * @param tokensDone tokens generated so far
   * @param busy how long the request has kept the device busy so far (the backend's own clock)
   * @return the finish reason to end the answer here with ({@code energy-cap}, {@code deadline});
   *     null to go on
   */
  default dev.moe2.protocol.FinishReason stopBefore(
      int promptTokens, int tokensDone, Duration busy) {
    return null;
  }
}
