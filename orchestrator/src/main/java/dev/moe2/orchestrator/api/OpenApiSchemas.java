package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON schemas {@code /q/openapi} shows for {@code /v1/chat/completions} (the resource reads
 * the body itself, as bytes, to refuse bad input in one shape): what clients are generated from.
 * Documentation only; {@link ChatRequest} is what parses.
 */
final class OpenApiSchemas {

  private OpenApiSchemas() {}

  @Schema(name = "ChatCompletionRequest", description = "OpenAI's chat completion request")
  record Request(
      @Schema(
              description = "a category (knowledge, math, reasoning, code) or auto (predicted)",
              defaultValue = "auto")
          String model,
      @Schema(required = true, minItems = 1) List<Message> messages,
      @JsonProperty("max_tokens") @Schema(minimum = "1", maximum = "131072") Integer maxTokens,
      @JsonProperty("max_completion_tokens") @Schema(minimum = "1", maximum = "131072")
          Integer maxCompletionTokens,
      @Schema(minimum = "0", maximum = "2") Double temperature,
      @JsonProperty("top_p") @Schema(minimum = "0", exclusiveMinimum = true, maximum = "1")
          Double topP,
      Boolean stream,
      @JsonProperty("stream_options") StreamOptions streamOptions,
      @Schema(description = "1 only", minimum = "1", maximum = "1") Integer n,
      @Schema(
              description = "a string or up to 4 strings",
              oneOf = {String.class, String[].class})
          Object stop,
      Long seed,
      @Schema(maxLength = 256, description = "the application's end-user id, recorded") String user,
      @Schema(description = "per-request budgets and k (this service's extension)") Moe2 moe2) {}

  @Schema(name = "ChatMessage")
  record Message(
      @Schema(
              required = true,
              enumeration = {"system", "developer", "user", "assistant"})
          String role,
      @Schema(
              required = true,
              description = "a string, or a list of text parts",
              oneOf = {String.class, TextPart[].class})
          Object content) {}

  @Schema(name = "TextPart")
  record TextPart(
      @Schema(
              required = true,
              enumeration = {"text"})
          String type,
      @Schema(required = true) String text) {}

  @Schema(name = "StreamOptions")
  record StreamOptions(
      @JsonProperty("include_usage")
          @Schema(description = "a last chunk with the usage and no choices")
          Boolean includeUsage) {}

  @Schema(name = "Moe2Options")
  record Moe2(
      @Schema(minimum = "0", exclusiveMinimum = true, maximum = "3600") Double delayBudgetS,
      @Schema(minimum = "0", exclusiveMinimum = true, maximum = "1000000") Double energyBudgetJ,
      @Schema(minimum = "1", maximum = "16") Integer k) {}

  @Schema(name = "ChatCompletion", description = "OpenAI's chat completion")
  record Response(
      String id,
      @Schema(enumeration = {"chat.completion"}) String object,
      long created,
      String model,
      List<Choice> choices,
      Usage usage,
      @Schema(
              description =
                  "the decision: category, experts, predicted and measured delay and energy")
          Map<String, Object> moe2) {}

  @Schema(name = "ChatCompletionChoice")
  record Choice(
      int index,
      Message message,
      @JsonProperty("finish_reason") @Schema(enumeration = {"stop", "length"})
          String finishReason) {}

  @Schema(name = "CompletionUsage")
  record Usage(
      @JsonProperty("prompt_tokens") int promptTokens,
      @JsonProperty("completion_tokens") int completionTokens,
      @JsonProperty("total_tokens") int totalTokens) {}

  @Schema(name = "Error", description = "every error's body")
  record ErrorBody(ErrorDetail error) {}

  @Schema(name = "ErrorDetail")
  record ErrorDetail(
      @Schema(description = "what was wrong, naming the field and the value") String message,
      @Schema(enumeration = {"invalid_request_error", "server_error"}) String type,
      @Schema(description = "the stable code, e.g. model_not_found, invalid-field") String code) {}
}
