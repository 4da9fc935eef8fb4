package dev.moe2.orchestrator.api;

/**
 * An error answered to a client: HTTP status, a stable code and a message naming what was wrong.
 * The body is always {@code {"error": {"code", "message", "type"}}}.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
