package dev.moe2.protocol;

/** A payload that is not valid JSON (or not a JSON object). */
public final class MalformedPayloadException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public MalformedPayloadException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public MalformedPayloadException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
