package dev.moe2.protocol;

/** A payload larger than the codec's limit. */
public final class PayloadTooLargeException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public PayloadTooLargeException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
