package dev.moe2.edgeagent.backend;

/** Asked between tokens whether to stop (a deadline passed, the agent is shutting down). */
@FunctionalInterface
public interface Cancellation {

  /** Never cancels. */
  Cancellation NONE = () -> false;

  boolean cancelled();
}
