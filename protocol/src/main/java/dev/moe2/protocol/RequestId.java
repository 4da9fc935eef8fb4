package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.moe2.protocol.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One inference request's id, unique per orchestrator; agents and the orchestrator use it to drop
 * duplicates. On MQTT 5 it is also the correlation data (UTF-8) of the request and its reply.
 */
public record RequestId(@JsonValue String value) {

  public RequestId {
    Checks.segment(value, "requestId");
  }

  @JsonCreator
  public static RequestId of(String value) {
    return new RequestId(value);
  }

  public static RequestId random() {
    return new RequestId(UUID.randomUUID().toString());
  }

  /** The MQTT 5 correlation data that carries this id. */
  public byte[] correlationData() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  public static RequestId fromCorrelationData(byte[] data) {
    return new RequestId(
        new String(Checks.notNull(data, "correlationData"), StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return value;
  }
}
