package dev.moe2.orchestrator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/openapi} describes the chat completion's bodies as schemas clients can be made from.
 */
@QuarkusTest
class OpenApiTest {

  @Test
  void openapi_chatCompletions_requestAndResponseBodiesAreJsonSchemasWithTheirFields() {
    JsonPath doc =
        given()
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String op = "paths.'/v1/chat/completions'.post";

    assertThat(doc.getString(op + ".requestBody.content.'application/json'.schema.'$ref'"))
        .endsWith("/ChatCompletionRequest");
    assertThat(doc.getString(op + ".responses.'200'.content.'application/json'.schema.'$ref'"))
        .endsWith("/ChatCompletion");
    assertThat(doc.getString(op + ".responses.'400'.content.'application/json'.schema.'$ref'"))
        .endsWith("/Error");
    Map<String, Object> request = doc.getMap("components.schemas.ChatCompletionRequest.properties");
    assertThat(request)
        .containsKeys(
            "model",
            "messages",
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "stream",
            "stream_options",
            "n",
            "stop",
            "seed",
            "user",
            "moe2");
    assertThat(doc.getList("components.schemas.ChatMessage.properties.role.enum", String.class))
        .containsExactlyInAnyOrder("system", "developer", "user", "assistant");
    assertThat(doc.getMap("components.schemas.ChatCompletion.properties"))
        .containsKeys("id", "object", "created", "model", "choices", "usage", "moe2");
    assertThat(doc.getMap("components.schemas.CompletionUsage.properties"))
        .containsKeys("prompt_tokens", "completion_tokens", "total_tokens");
    assertThat(doc.getMap("components.schemas.ErrorDetail.properties"))
        .containsKeys("message", "type", "code");
  }
}
