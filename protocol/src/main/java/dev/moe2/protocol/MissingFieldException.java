package dev.moe2.protocol;

/** A payload that lacks a required field. */
public final class MissingFieldException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public MissingFieldException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public MissingFieldException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
