package dev.moe2.edgeagent.power;

/** A power mode could not be set; the message says which, how and why. */
public final class PowerControlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PowerControlException(String message) {
    super(message);
  }

  public PowerControlException(String message, Throwable cause) {
    super(message, cause);
  }
}
