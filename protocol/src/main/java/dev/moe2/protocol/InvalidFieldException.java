package dev.moe2.protocol;

/**
 * A payload field with the right type but a value the contract forbids (a negative count, a wrong
 * agent, an unknown enum label).
 */
public final class InvalidFieldException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public InvalidFieldException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public InvalidFieldException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
