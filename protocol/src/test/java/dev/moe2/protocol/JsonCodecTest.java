package dev.moe2.protocol;

import static dev.moe2.protocol.ContractExamples.AGENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonCodecTest {

  private final JsonCodec codec = new JsonCodec();

  static Stream<Arguments> samples() {
    return ContractExamples.all().stream().map(a -> Arguments.of(a[0], a[1]));
  }

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("samples")
  void encodeThenDecode_everyMessage_returnsAnEqualMessage(Topic topic, Message message) {
    byte[] payload = codec.encode(message);

    assertThat(codec.decode(topic, payload)).isEqualTo(message);
    assertThat(codec.decode(topic.name(), payload)).isEqualTo(message);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("samples")
  void encode_everyMessage_writesSchemaVersionAndTypeFirst(Topic topic, Message message) {
    String json = text(codec.encode(message));

    assertThat(json).startsWith("{\"schemaVersion\":1,\"type\":\"" + message.type().label() + "\"");
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("samples")
  void decode_unknownFieldsAtEveryLevel_areIgnored(Topic topic, Message message) {
    String json = text(codec.encode(message));
    String withExtras =
        "{\"futureField\":{\"nested\":[1,2]},"
            + json.substring(1).replace("\"agentId\":", "\"x-vendor\":true,\"agentId\":");

    assertThat(codec.decode(topic, utf8(withExtras))).isEqualTo(message);
  }

  @Test
  void encode_durations_areMillisecondNumbers() {
    String json = text(codec.encode(ContractExamples.reply()));

    assertThat(json)
        .contains("\"ttftMs\":180.5")
        .contains("\"prefillPerTokenMs\":1.25")
        .contains("\"totalMs\":230.1")
        .contains("\"joules\":9.6")
        .contains("\"source\":\"tegrastats\"");
  }

  @Test
  void encode_instantsWithNanoseconds_writtenAtMillisecondPrecisionTruncated() {
    InferenceRequest r = ContractExamples.request();
    InferenceRequest fine =
        new InferenceRequest(
            r.requestId(),
            r.attempt(),
            r.agentId(),
            r.modelId(),
            r.messages(),
            r.params(),
            java.time.Instant.parse("2026-11-25T08:00:00.123456789Z"),
            java.time.Instant.parse("2026-11-25T08:00:08.999999999Z"),
            r.replyTo());

    String json = text(codec.encode(fine));

    assertThat(json)
        .contains("\"issuedAt\":\"2026-11-25T08:00:00.123Z\"")
        .contains("\"deadline\":\"2026-11-25T08:00:08.999Z\"");
  }

  @Test
  void decode_instantsWithNanoseconds_acceptedAsWritten() {
    String json =
        text(codec.encode(ContractExamples.request()))
            .replace("2026-11-25T08:00:00Z", "2026-11-25T08:00:00.123456789Z");

    InferenceRequest r =
        codec.decode(
            Topic.requests(AGENT, ContractExamples.MODEL), utf8(json), InferenceRequest.class);

    assertThat(r.issuedAt()).isEqualTo(java.time.Instant.parse("2026-11-25T08:00:00.123456789Z"));
  }

  @Test
  void decode_malformedJson_throwsMalformedPayloadNamingTopic() {
    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8("{\"schemaVersion\":1,")))
        .isInstanceOf(MalformedPayloadException.class)
        .hasMessageContaining("topic 'moe2/v1/agents/orin-a/birth'")
        .hasMessageContaining("field 'payload'")
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void decode_jsonArrayInsteadOfObject_throwsMalformedPayload() {
    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8("[1,2]")))
        .isInstanceOf(MalformedPayloadException.class)
        .hasMessageContaining("is a JSON ARRAY, not an object");
  }

  @Test
  void decode_emptyPayload_throwsMalformedPayload() {
    assertThatThrownBy(() -> codec.decode(Topic.state(AGENT), new byte[0]))
        .isInstanceOf(MalformedPayloadException.class)
        .hasMessageContaining("it is empty");
  }

  @Test
  void decode_missingTopLevelField_throwsMissingFieldNamingIt() {
    String json =
        text(codec.encode(ContractExamples.birth()))
            .replace("\"deviceClass\":", "\"deviceKlass\":");

    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            MissingFieldException.class,
            e -> {
              assertThat(e.topic()).isEqualTo("moe2/v1/agents/orin-a/birth");
              assertThat(e.field()).isEqualTo("deviceClass");
              assertThat(e.reason()).isEqualTo("it is required");
            });
  }

  @Test
  void decode_missingNestedField_throwsMissingFieldWithItsPath() {
    String json =
        text(codec.encode(ContractExamples.birth())).replace("\"quantization\":", "\"q\":");

    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            MissingFieldException.class,
            e -> assertThat(e.field()).isEqualTo("experts[0].quantization"));
  }

  @Test
  void decode_requiredFieldNull_throwsNamingField() {
    String json =
        text(codec.encode(ContractExamples.request()))
            .replaceFirst("\"modelId\":\"[^\"]*\"", "\"modelId\":null");

    assertThatThrownBy(
            () -> codec.decode(Topic.requests(AGENT, ContractExamples.MODEL), utf8(json)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("modelId");
  }

  @Test
  void decode_missingSchemaVersion_throwsMissingField() {
    String json = text(codec.encode(ContractExamples.state())).replace("\"schemaVersion\":1,", "");

    assertThatThrownBy(() -> codec.decode(Topic.state(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            MissingFieldException.class, e -> assertThat(e.field()).isEqualTo("schemaVersion"));
  }

  @Test
  void decode_wrongSchemaVersion_throwsUnsupportedSchemaVersion() {
    String json =
        text(codec.encode(ContractExamples.state()))
            .replace("\"schemaVersion\":1", "\"schemaVersion\":2");

    assertThatThrownBy(() -> codec.decode(Topic.state(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            UnsupportedSchemaVersionException.class,
            e -> {
              assertThat(e.field()).isEqualTo("schemaVersion");
              assertThat(e.reason()).isEqualTo("2 is not supported; this code speaks 1");
            });
  }

  @Test
  void decode_schemaVersionAsString_throwsWrongType() {
    String json =
        text(codec.encode(ContractExamples.state()))
            .replace("\"schemaVersion\":1", "\"schemaVersion\":\"1\"");

    assertThatThrownBy(() -> codec.decode(Topic.state(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            WrongTypeException.class, e -> assertThat(e.field()).isEqualTo("schemaVersion"));
  }

  @Test
  void decode_stringWhereNumberBelongs_throwsWrongTypeNamingField() {
    String json =
        text(codec.encode(ContractExamples.reply()))
            .replace("\"promptTokens\":31", "\"promptTokens\":\"31\"");

    assertThatThrownBy(
            () -> codec.decode(Topic.replies(ContractExamples.ORCHESTRATOR, AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            WrongTypeException.class,
            e -> {
              assertThat(e.field()).isEqualTo("promptTokens");
              assertThat(e.topic()).isEqualTo("moe2/v1/orchestrators/orch-1/replies/orin-a");
            });
  }

  @Test
  void decode_objectWhereListBelongs_throwsWrongTypeNamingField() {
    String json =
        text(codec.encode(ContractExamples.plan()))
            .replaceFirst("\"residentModels\":\\[[^]]*]", "\"residentModels\":{}");

    assertThatThrownBy(() -> codec.decode(Topic.plan(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            WrongTypeException.class, e -> assertThat(e.field()).isEqualTo("residentModels"));
  }

  @Test
  void decode_numberWhereNestedStringBelongs_throwsWrongTypeWithPath() {
    String json =
        text(codec.encode(ContractExamples.request())).replace("\"role\":\"user\"", "\"role\":7");

    assertThatThrownBy(
            () -> codec.decode(Topic.requests(AGENT, ContractExamples.MODEL), utf8(json)))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(((ProtocolException) e).field()).isEqualTo("messages[1].role"));
  }

  @Test
  void decode_unknownEnumLabel_throwsInvalidFieldNamingField() {
    String json =
        text(codec.encode(ContractExamples.reply()))
            .replace("\"source\":\"tegrastats\"", "\"source\":\"guess\"");

    assertThatThrownBy(
            () -> codec.decode(Topic.replies(ContractExamples.ORCHESTRATOR, AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e -> {
              assertThat(e.field()).isEqualTo("energy.source");
              assertThat(e.reason()).contains("guess");
            });
  }

  @Test
  void decode_negativeValue_throwsInvalidFieldWithTheRule() {
    String json =
        text(codec.encode(ContractExamples.birth()))
            .replace("\"memoryMiB\":61440", "\"memoryMiB\":-1");

    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e ->
                assertThat(e.reason()).isEqualTo("field 'memoryMiB' has value -1: it must be > 0"));
  }

  @Test
  void decode_partialLongerThanTheLimit_throwsInvalidFieldNamingText() {
    String json =
        text(codec.encode(ContractExamples.partial()))
            .replace("\"text\":\"B\"", "\"text\":\"" + "x".repeat(1025) + "\"");

    assertThatThrownBy(
            () -> codec.decode(Topic.replies(ContractExamples.ORCHESTRATOR, AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo("field 'text' has 1025 characters: a piece carries 1 to 1024"));
  }

  @Test
  void encode_requestStreamed_writesStreamTrueAndOmitsItOtherwise() {
    InferenceRequest plain = ContractExamples.request();

    assertThat(text(codec.encode(plain.withStream(true)))).contains("\"stream\":true");
    assertThat(text(codec.encode(plain))).doesNotContain("stream");
    assertThat(plain.withStream(false).stream()).isNull();
    assertThat(
            codec
                .decode(
                    Topic.requests(AGENT, ContractExamples.MODEL),
                    codec.encode(plain.withStream(true)),
                    InferenceRequest.class)
                .streamed())
        .isTrue();
  }

  @Test
  void decode_agentIdOtherThanTopics_throwsInvalidField() {
    String json =
        text(codec.encode(ContractExamples.birth()))
            .replace("\"agentId\":\"orin-a\"", "\"agentId\":\"orin-b\"");

    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), utf8(json)))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e -> {
              assertThat(e.field()).isEqualTo("agentId");
              assertThat(e.reason()).contains("'orin-b' does not match the topic's agent 'orin-a'");
            });
  }

  @Test
  void decode_typeNotCarriedByTopic_throwsInvalidFieldListingAllowedTypes() {
    byte[] reply = codec.encode(ContractExamples.reply());

    assertThatThrownBy(() -> codec.decode(Topic.birth(AGENT), reply))
        .isInstanceOfSatisfying(
            InvalidFieldException.class,
            e -> {
              assertThat(e.field()).isEqualTo("type");
              assertThat(e.reason())
                  .isEqualTo("'reply' is not allowed on a BIRTH topic; expected one of birth");
            });
  }

  @Test
  void decode_withExpectedClassAndOtherAllowedType_throwsInvalidField() {
    byte[] error = codec.encode(ContractExamples.error());
    Topic replies = Topic.replies(ContractExamples.ORCHESTRATOR, AGENT);

    assertThatThrownBy(() -> codec.decode(replies, error, InferenceReply.class))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageContaining("'error' arrived where 'reply' was expected");
    assertThat(codec.decode(replies, error, ErrorReport.class)).isEqualTo(ContractExamples.error());
  }

  @Test
  void decode_oversizedPayload_throwsPayloadTooLargeBeforeParsing() {
    JsonCodec small = new JsonCodec(2048);
    byte[] big = new byte[4096];
    java.util.Arrays.fill(big, (byte) '{');

    assertThatThrownBy(() -> small.decode(Topic.profile(AGENT), big))
        .isInstanceOfSatisfying(
            PayloadTooLargeException.class,
            e -> {
              assertThat(e.topic()).isEqualTo("moe2/v1/agents/orin-a/profile");
              assertThat(e.reason()).isEqualTo("4096 bytes exceed the limit of 2048");
            });
  }

  @Test
  void encode_messageOverTheLimit_throwsPayloadTooLarge() {
    JsonCodec small = new JsonCodec(1024);
    InferenceReply huge =
        new InferenceReply(
            ContractExamples.reply().requestId(),
            AGENT,
            ContractExamples.MODEL,
            "x".repeat(2000),
            1,
            1,
            FinishReason.LENGTH,
            ContractExamples.reply().latency(),
            ContractExamples.reply().energy(),
            "maxn",
            ContractExamples.T0);

    assertThatThrownBy(() -> small.encode(huge)).isInstanceOf(PayloadTooLargeException.class);
  }

  @Test
  void decode_topicThatDoesNotParse_throwsInvalidTopic() {
    byte[] birth = codec.encode(ContractExamples.birth());

    assertThatThrownBy(() -> codec.decode("moe2/v1/agents/orin-a/bogus", birth))
        .isInstanceOfSatisfying(
            InvalidTopicException.class,
            e -> {
              assertThat(e.topic()).isEqualTo("moe2/v1/agents/orin-a/bogus");
              assertThat(e.field()).isEqualTo("kind");
            });
  }

  @Test
  void requestDeadlineBeforeIssue_isRejectedByTheRecord() {
    InferenceRequest r = ContractExamples.request();

    assertThatThrownBy(
            () ->
                new InferenceRequest(
                    r.requestId(),
                    1,
                    AGENT,
                    r.modelId(),
                    r.messages(),
                    r.params(),
                    r.issuedAt(),
                    r.issuedAt(),
                    r.replyTo()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("field 'deadline' has value 2026-11-25T08:00:00Z");
  }

  @Test
  void requestReplyToAnotherAgentsTopic_isRejectedByTheRecord() {
    InferenceRequest r = ContractExamples.request();
    String otherAgents = Topic.replies(ContractExamples.ORCHESTRATOR, AgentId.of("rtx-1")).name();

    assertThatThrownBy(
            () ->
                new InferenceRequest(
                    r.requestId(),
                    1,
                    AGENT,
                    r.modelId(),
                    r.messages(),
                    r.params(),
                    r.issuedAt(),
                    r.deadline(),
                    otherAgents))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'replyTo'");
  }

  @Test
  void requestEnergyCap_roundTripsAndIsOptionalButPositive() {
    InferenceRequest capped = ContractExamples.request().withEnergyCap(Joules.of(42.5));

    InferenceRequest back =
        codec.decode(
            Topic.requests(AGENT, capped.modelId()), codec.encode(capped), InferenceRequest.class);
    assertThat(back.energyCapJ()).isEqualTo(Joules.of(42.5));
    assertThat(text(codec.encode(ContractExamples.request()))).doesNotContain("energyCapJ");
    assertThatThrownBy(() -> ContractExamples.request().withEnergyCap(Joules.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'energyCapJ' has value 0.0");
  }
}
