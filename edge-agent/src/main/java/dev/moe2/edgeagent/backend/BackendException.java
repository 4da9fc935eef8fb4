package dev.moe2.edgeagent.backend;

/** The backend failed: the reply is a {@code backend-failure} error with this message. */
public class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
