package dev.moe2.protocol;

/** A payload whose {@code schemaVersion} this code does not speak. */
public final class UnsupportedSchemaVersionException extends ProtocolException {

  private static final long serialVersionUID = 1L;

  public UnsupportedSchemaVersionException(String topic, String field, String reason) {
    super(topic, field, reason, null);
  }

  public UnsupportedSchemaVersionException(
      String topic, String field, String reason, Throwable cause) {
    super(topic, field, reason, cause);
  }
}
