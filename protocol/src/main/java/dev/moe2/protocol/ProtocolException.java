package dev.moe2.protocol;

/**
 * A message or topic that breaks the contract. Every subclass names the topic, the field (a JSON
 * path such as {@code experts[0].modelId}, or a topic level) and the reason.
 */
public abstract class ProtocolException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String topic;
  private final String field;
  private final String reason;

  protected ProtocolException(String topic, String field, String reason, Throwable cause) {
    super("topic '" + topic + "', field '" + field + "': " + reason, cause);
    this.topic = topic;
    this.field = field;
    this.reason = reason;
  }

  /** The topic the bad input arrived on. */
  public String topic() {
    return topic;
  }

  /** The offending field (JSON path) or topic level. */
  public String field() {
    return field;
  }

  /** Why it was rejected. */
  public String reason() {
    return reason;
  }
}
