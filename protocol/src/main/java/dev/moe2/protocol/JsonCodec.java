package dev.moe2.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.moe2.protocol.internal.ContractTimeModule;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The JSON codec of the contract: the only way payloads are written and read. Thread-safe.
 *
 * <p>Every payload is a JSON object whose first fields are {@code schemaVersion} ({@value
 * #SCHEMA_VERSION}) and {@code type}; unknown fields are ignored, so a newer minor writer can add
 * fields. Bad input raises a {@link ProtocolException} subclass naming the topic, field and reason.
 */
public final class JsonCodec {

  /** The schema version this code writes and the only one it reads. */
  public static final int SCHEMA_VERSION = 1;

  /** Default payload limit: 256 KiB (a prompt of a few thousand tokens fits many times over). */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

  private final ObjectMapper mapper;
  private final int maxPayloadBytes;

  /** A codec with the {@linkplain #DEFAULT_MAX_PAYLOAD_BYTES default} payload limit. */
  public JsonCodec() {
    this(DEFAULT_MAX_PAYLOAD_BYTES);
  }

  /**
   * @param maxPayloadBytes the largest payload {@link #decode} accepts and {@link #encode} writes
   */
  public JsonCodec(int maxPayloadBytes) {
    if (maxPayloadBytes < 1024) {
      throw new IllegalArgumentException(
          "maxPayloadBytes has value " + maxPayloadBytes + ": it must be at least 1024");
    }
    this.maxPayloadBytes = maxPayloadBytes;
    this.mapper =
        JsonMapper.builder()
            .addModule(new ParameterNamesModule())
            .addModule(new JavaTimeModule())
            .addModule(new ContractTimeModule())
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxStringLength(maxPayloadBytes)
                .build());
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Writes a message as UTF-8 JSON, {@code schemaVersion} and {@code type} first. */
  public byte[] encode(Message message) {
    ObjectNode body = mapper.valueToTree(message);
    ObjectNode payload = mapper.createObjectNode();
    payload.put("schemaVersion", SCHEMA_VERSION);
    payload.put("type", message.type().label());
    payload.setAll(body);
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + message.type().label() + " message", e);
    }
    if (bytes.length > maxPayloadBytes) {
      throw new PayloadTooLargeException(
          "(outgoing " + message.type().label() + ")",
          "payload",
          bytes.length + " bytes exceed the limit of " + maxPayloadBytes);
    }
    return bytes;
  }

  /** Parses the topic name, then decodes the payload against it. */
  public Message decode(String topicName, byte[] payload) {
    return decode(Topic.parse(topicName), payload);
  }

  /** Decodes a payload received on {@code topic}, expecting a message of the given type. */
  public <T extends Message> T decode(Topic topic, byte[] payload, Class<T> expected) {
    Message message = decode(topic, payload);
    if (!expected.isInstance(message)) {
      throw new InvalidFieldException(
          topic.name(),
          "type",
          "'"
              + message.type().label()
              + "' arrived where '"
              + MessageType.of(expected).label()
              + "' was expected");
    }
    return expected.cast(message);
  }

  /**
   * Decodes a payload received on {@code topic}.
   *
   * @throws ProtocolException naming the topic, field and reason when the payload breaks the
   *     contract
   */
  public Message decode(Topic topic, byte[] payload) {
    String where = topic.name();
    if (payload == null || payload.length == 0) {
      throw new MalformedPayloadException(where, "payload", "it is empty");
    }
    if (payload.length > maxPayloadBytes) {
      throw new PayloadTooLargeException(
          where, "payload", payload.length + " bytes exceed the limit of " + maxPayloadBytes);
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(payload);
    } catch (StreamReadException e) {
      throw new MalformedPayloadException(
          where, "payload", "it is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedPayloadException(where, "payload", "it cannot be read: " + e, e);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw new MalformedPayloadException(
          where, "payload", "it is a JSON " + tree.getNodeType() + ", not an object");
    }
    checkSchemaVersion(where, object.get("schemaVersion"));
    MessageType type = typeOf(topic, object.get("type"));
    object.remove("schemaVersion");
    object.remove("type");
    Message message = bind(where, object, type);
    if (!message.agentId().equals(topic.agentId())) {
      throw new InvalidFieldException(
          where,
          "agentId",
          "'" + message.agentId() + "' does not match the topic's agent '" + topic.agentId() + "'");
    }
    return message;
  }

  private static void checkSchemaVersion(String where, JsonNode version) {
    if (version == null || version.isNull()) {
      throw new MissingFieldException(where, "schemaVersion", "it is required");
    }
    if (!version.isIntegralNumber()) {
      throw new WrongTypeException(
          where, "schemaVersion", "expected an integer, got " + version.getNodeType());
    }
    if (version.asLong() != SCHEMA_VERSION) {
      throw new UnsupportedSchemaVersionException(
          where,
          "schemaVersion",
          version.asLong() + " is not supported; this code speaks " + SCHEMA_VERSION);
    }
  }

  private static MessageType typeOf(Topic topic, JsonNode type) {
    String where = topic.name();
    if (type == null || type.isNull()) {
      throw new MissingFieldException(where, "type", "it is required");
    }
    if (!type.isTextual()) {
      throw new WrongTypeException(where, "type", "expected a string, got " + type.getNodeType());
    }
    MessageType parsed = MessageType.byLabel(type.asText());
    if (parsed == null || !topic.kind().carries().contains(parsed)) {
      throw new InvalidFieldException(
          where,
          "type",
          "'"
              + type.asText()
              + "' is not allowed on a "
              + topic.kind()
              + " topic; expected one of "
              + topic.kind().carries().stream()
                  .map(MessageType::label)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    }
    return parsed;
  }

  private Message bind(String where, ObjectNode object, MessageType type) {
    try {
      return mapper.treeToValue(object, type.recordType());
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new InvalidFieldException(where, path(e), cause.getMessage(), e);
    } catch (InvalidFormatException e) {
      throw new InvalidFieldException(
          where,
          path(e),
          "value " + e.getValue() + " is not a valid " + e.getTargetType().getSimpleName(),
          e);
    } catch (MismatchedInputException e) {
      String original = e.getOriginalMessage();
      if (original.startsWith("Missing required creator property")) {
        String field =
            original.replaceFirst("^Missing required creator property '([^']*)'.*$", "$1");
        String parent = path(e);
        // Jackson reports the object that lacks the property; name the property itself.
        String full =
            parent.isEmpty() ? field : parent.endsWith(field) ? parent : parent + "." + field;
        throw new MissingFieldException(where, full, "it is required", e);
      }
      if (original.contains("Null value for creator property")) {
        throw new MissingFieldException(where, path(e), "it is required but was null", e);
      }
      throw new WrongTypeException(where, path(e), firstLine(original), e);
    } catch (JsonMappingException e) {
      throw new InvalidFieldException(where, path(e), firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException e) {
      throw new MalformedPayloadException(where, "payload", firstLine(e.getOriginalMessage()), e);
    } catch (IllegalArgumentException e) {
      // treeToValue wraps mapping failures in IllegalArgumentException on some paths.
      throw new InvalidFieldException(where, "payload", e.getMessage(), e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
