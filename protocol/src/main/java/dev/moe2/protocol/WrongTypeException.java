package dev.moe2.protocol;

/**
 * A payload field whose JSON type does not match the contract (e.g. a string where a number
 * belongs).
 */
public final class WrongTypeException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public WrongTypeException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public WrongTypeException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
