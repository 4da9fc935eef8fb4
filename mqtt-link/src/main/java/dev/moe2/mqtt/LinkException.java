package dev.moe2.mqtt;

/** The broker link cannot do what was asked (not connected, refused publish or subscription). */
public final class LinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LinkException(String message) {
    super(message);
  }

  public LinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
