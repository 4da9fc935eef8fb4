package dev.moe2.tools.conformance;

/** The kit cannot run at all (no broker, bad credentials): not a finding about the agent. */
public final class ConformanceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConformanceException(String message) {
    super(message);
  }
}
