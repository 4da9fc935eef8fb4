package dev.moe2.edgeagent.mqtt;

/** The broker link cannot do what was asked (not connected, refused publish). */
public final class LinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LinkException(String message) {
    super(message);
  }

  public LinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
