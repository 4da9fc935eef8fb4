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
        "field 'temperature' has value 3.0");
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

  @Test
  void parse_bodyOverTheLimit_is413() {
    assertThatThrownBy(() -> ChatRequest.parse(new byte[2048], 1024))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("2048 bytes; the limit is 1024");
  }
}
