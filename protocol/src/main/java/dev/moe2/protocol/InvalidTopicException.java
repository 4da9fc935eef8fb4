package dev.moe2.protocol;

/** A topic name that does not parse as a contract topic. */
public final class InvalidTopicException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public InvalidTopicException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public InvalidTopicException(String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
