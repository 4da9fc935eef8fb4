package dev.moe2.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.protocol.ChatRole;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

  static ChatRequest parse(String json) {
    return ChatRequest.parse(json.getBytes(StandardCharsets.UTF_8), 1024);
  }

  static void refused(String json, int status, String code, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.code()).isEqualTo(code);
            })
        .hasMessageContaining(message);
  }

  @Test
  void parse_fullBody_keepsEveryFieldAndTheMoe2Extension() {
    ChatRequest r =
        parse(
            """
            {"model": "math", "stream": true, "max_tokens": 64, "temperature": 0.5, "top_p": 0.9,
             "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "2+2?"}],
             "moe2": {"delayBudgetS": 2.5, "energyBudgetJ": 40, "k": 2}}""");

    assertThat(r.stream()).isTrue();
    assertThat(r.ask().model()).isEqualTo("math");
    assertThat(r.ask().messages())
        .extracting(m -> m.role())
        .containsExactly(ChatRole.SYSTEM, ChatRole.USER);
    assertThat(r.ask().maxTokens()).isEqualTo(64);
    assertThat(r.ask().delayBudgetS()).isEqualTo(2.5);
    assertThat(r.ask().energyBudgetJ()).isEqualTo(40);
    assertThat(r.ask().k()).isEqualTo(2);
  }

  @Test
  void parse_minimalBody_defaultsToAutoAndNoStream() {
    ChatRequest r = parse("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

    assertThat(r.ask().model()).isEqualTo("auto");
    assertThat(r.stream()).isFalse();
    assertThat(r.ask().maxTokens()).as("absent: the category's planned output length").isNull();
    assertThat(r.ask().k()).isNull();
  }

  static final String USER_X = "[{\"role\": \"user\", \"content\": \"x\"}]";

  @Test
  void parse_contentParts_textJoinedOtherTypesRefusedByName() {
    ChatRequest r =
        parse(
            "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\","
                + " \"text\": \"Which planet?\"}, {\"type\": \"text\", \"text\": \"A) Mars\"}]}]}");
    assertThat(r.ask().messages().get(0).content()).isEqualTo("Which planet?\n\nA) Mars");
    refused(
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\":"
            + " \"x\"}, {\"type\": \"image_url\", \"image_url\": {\"url\": \"http://x\"}}]}]}",
        400,
        "unsupported-content",
        "field 'messages[0].content[1].type' has value 'image_url'");
    refused(
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}",
        400,
        "invalid-field",
        "'messages[0].content[0].text'");
  }

  @Test
  void parse_openAiRoles_developerIsSystemToolRefusedSayingWhy() {
    ChatRequest r =
        parse(
            "{\"messages\": [{\"role\": \"developer\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"x\"}]}");
    assertThat(r.ask().messages().get(0).role()).isEqualTo(ChatRole.SYSTEM);
    refused(
        "{\"messages\": [{\"role\": \"tool\", \"content\": \"42\"}]}",
        400,
        "unsupported-role",
        "makes no function calls");
  }

  @Test
  void parse_samplingExtras_honouredOrRefusedExplicitly() {
    ChatRequest r =
        parse(
            "{\"n\": 1, \"seed\": 7, \"stop\": [\"\\n\\n\", \"END\"], \"user\": \"u-42\","
                + " \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": "
                + USER_X
                + "}");
    assertThat(r.ask().seed()).isEqualTo(7L);
    assertThat(r.ask().stop()).containsExactly("\n\n", "END");
    assertThat(r.ask().user()).isEqualTo("u-42");
    assertThat(r.includeUsage()).isTrue();
    assertThat(parse("{\"stop\": \"END\", \"messages\": " + USER_X + "}").ask().stop())
        .containsExactly("END");
    refused(
        "{\"n\": 2, \"messages\": " + USER_X + "}",
        400,
        "unsupported-parameter",
        "field 'n' has value 2");
    refused(
        "{\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"], \"messages\": " + USER_X + "}",
        400,
        "invalid-field",
        "at most 4 sequences");
    refused("{\"seed\": 1.5, \"messages\": " + USER_X + "}", 400, "invalid-field", "field 'seed'");
    refused(
        "{\"tools\": [], \"messages\": " + USER_X + "}",
        400,
        "unsupported-parameter",
        "field 'tools' is not supported");
    refused(
        "{\"stream_options\": {\"include_usage\": true}, \"messages\": " + USER_X + "}",
        400,
        "invalid-field",
        "only allowed with stream: true");
  }

  @Test
  void parse_badInput_refusedWithStableCodesNamingTheField() {
    refused("not json", 400, "invalid-json", "not valid JSON");
    refused("[1]", 400, "invalid-json", "must be a JSON object");
    refused("{\"messages\": []}", 400, "empty-messages", "'messages'");
    refused(
        "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}",
        400,
        "invalid-field",
        "field 'messages[0].role' has value 'robot'");
    refused(
        "{\"messages\": [{\"role\": \"user\"}]}", 400, "invalid-field", "'messages[0].content'");
    refused(
        "{\"max_tokens\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        400,
        "invalid-field",
        "field 'max_tokens' has value 0");
    refused(
        "{\"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        400,
        "invalid-field",
        "field 'temperature' has value 3: it must be a number in [0, 2]");
    refused(
        "{\"moe2\": {\"energyBudgetJ\": -1}, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        400,
        "invalid-budget",
        "field 'moe2.energyBudgetJ' has value -1");
    refused(
        "{\"model\": 7, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        400,
        "invalid-field",
        "field 'model' must be a string");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "\"max_tokens\": \"x\"          | invalid-field  | field 'max_tokens' has value \"x\"",
        "\"max_tokens\": true           | invalid-field  | field 'max_tokens' has value true",
        "\"max_tokens\": 1e12           | invalid-field  | it must be an integer in [1, 131072]",
        "\"max_tokens\": 2.5            | invalid-field  | field 'max_tokens' has value 2.5",
        "\"temperature\": \"hot\"       | invalid-field  | field 'temperature' has value \"hot\"",
        "\"top_p\": 0                   | invalid-field  | field 'top_p' has value 0: it must be a number in (0, 1]",
        "\"top_p\": 5                   | invalid-field  | field 'top_p' has value 5",
        "\"top_p\": -1                  | invalid-field  | field 'top_p' has value -1",
        "\"stream\": \"yes\"            | invalid-field  | field 'stream' has value \"yes\"",
        "\"moe2\": {\"k\": 1.9}         | invalid-field  | field 'moe2.k' has value 1.9",
        "\"moe2\": {\"k\": 99}          | invalid-field  | it must be an integer in [1, 16]",
        "\"moe2\": 3                    | invalid-field  | field 'moe2' has value 3",
        "\"moe2\": {\"energyBudgetJ\": \"40\"} | invalid-budget | field 'moe2.energyBudgetJ' has value \"40\"",
        "\"moe2\": {\"energyBudgetJ\": 1e999} | invalid-budget | it must be a number in (0, 1000000]",
        "\"moe2\": {\"delayBudgetS\": 1e10}  | invalid-budget | it must be a number in (0, 3600]",
      })
  void parse_wrongTypeOrOutOfRange_refusedNamingFieldValueAndRule(
      String field, String code, String message) {
    refused(
        "{" + field.strip() + ", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}",
        400,
        code.strip(),
        message.strip());
  }

  @Test
  void parse_promptOverThePayloadLimitOnceEscaped_is413BeforeAnythingRuns() {
    // 60,000 emoji: 240 KB as UTF-8, under the body limit; 720 KB as JSON escapes
    String emoji = "\uD83D\uDE00".repeat(60_000);
    byte[] body =
        ("{\"messages\": [{\"role\": \"user\", \"content\": \"" + emoji + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ChatRequest.parse(body, 1024 * 1024))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.code()).isEqualTo("prompt-too-large");
            })
        .hasMessageContaining("MQTT payload limit of 262144 bytes");
  }

  @Test
  void parse_bodyOverTheLimit_is413() {
    assertThatThrownBy(() -> ChatRequest.parse(new byte[2048], 1024))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("2048 bytes; the limit is 1024");
  }
}
