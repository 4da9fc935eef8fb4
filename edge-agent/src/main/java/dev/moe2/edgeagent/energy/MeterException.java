package dev.moe2.edgeagent.energy;

/** A meter cannot start or read its source. */
public final class MeterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MeterException(String message, Throwable cause) {
    super(message, cause);
  }

  public MeterException(String message) {
    super(message);
  }
}
