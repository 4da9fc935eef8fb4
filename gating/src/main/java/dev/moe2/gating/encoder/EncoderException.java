package dev.moe2.gating.encoder;

/** The encoder could not load its model or run it; the message says which and why. */
public final class EncoderException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public EncoderException(String message, Throwable cause) {
    super(message, cause);
  }
}
