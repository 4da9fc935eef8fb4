package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OpenAI chat-completions body, parsed and validated: every refusal is an {@link ApiException}
 * with a stable code and a message naming the field and its value.
 *
 * @param stream whether the client asked for server-sent events
 */
record ChatRequest(RequestRouter.Ask ask, boolean stream) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param maxBody the largest body accepted, bytes
   */
  static ChatRequest parse(byte[] body, int maxBody) {
    if (body.length > maxBody) {
      throw new ApiException(
          413, "body-too-large", "the body has " + body.length + " bytes; the limit is " + maxBody);
    }
    JsonNode root = object(body);
    List<ChatMessage> messages = messages(root.get("messages"));
    // OpenAI's newer name wins; absent: the category's planned output length
    String tokensField = root.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    Integer maxTokens = Fields.integer(root, tokensField, tokensField, 1, Fields.MAX_TOKENS);
    Double t = Fields.number(root, "temperature", "temperature", 0, false, 2);
    double temperature = t == null ? 0 : t;
    Double p = Fields.number(root, "top_p", "top_p", 0, true, 1);
    double topP = p == null ? 1 : p;
    JsonNode ext = root.path("moe2");
    if (!ext.isMissingNode() && !ext.isObject()) {
      throw Fields.invalid("moe2", ext, "it must be an object");
    }
    Double delay = Fields.delayBudget(ext, "delayBudgetS", "moe2.delayBudgetS");
    Double energy = Fields.energyBudget(ext, "energyBudgetJ", "moe2.energyBudgetJ");
    Integer k = Fields.integer(ext, "k", "moe2.k", 1, Fields.MAX_K);
    encodedSize(root.get("messages"));
    return new ChatRequest(
        new RequestRouter.Ask(
            text(root, "model", "auto"),
            messages,
            maxTokens,
            temperature,
            topP,
            delay,
            energy,
            k,
            null),
        Fields.bool(root, "stream", false));
  }

  private static JsonNode object(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new ApiException(
          400,
          "invalid-json",
          "the body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(400, "invalid-json", "the body must be a JSON object");
    }
    return root;
  }

  private static List<ChatMessage> messages(JsonNode ms) {
    if (ms == null || !ms.isArray() || ms.isEmpty()) {
      throw new ApiException(400, "empty-messages", "field 'messages' must be a non-empty array");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String role = text(m, "role", null);
      String content = text(m, "content", null);
      ChatRole r;
      try {
        r = ChatRole.valueOf(String.valueOf(role).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid(
            "messages[" + i + "].role", "'" + role + "'", "it must be system, user or assistant");
      }
      if (content == null) {
        throw new ApiException(
            400, "invalid-field", "field 'messages[" + i + "].content' is required");
      }
      messages.add(new ChatMessage(r, content));
    }
    return messages;
  }

  private static ApiException invalid(String field, Object value, String rule) {
    return Fields.invalid(field, value, rule);
  }

  /**
   * The prompt as it will travel to an agent (JSON-escaped: an emoji takes up to 12 bytes) must fit
   * the MQTT payload limit with room for the rest of the request: else 413 now, not a failure
   * later.
   */
  private static void encodedSize(JsonNode messages) {
    int bytes;
    try {
      bytes = ESCAPING.writeValueAsBytes(messages).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot measure the prompt", e);
    }
    int limit = JsonCodec.DEFAULT_MAX_PAYLOAD_BYTES - REQUEST_OVERHEAD_BYTES;
    if (bytes > limit) {
      throw new ApiException(
          413,
          "prompt-too-large",
          "the messages take "
              + bytes
              + " bytes as JSON; a request to an agent carries at most "
              + limit
              + " (the MQTT payload limit of "
              + JsonCodec.DEFAULT_MAX_PAYLOAD_BYTES
              + " bytes less the request's other fields)");
    }
  }

  /** Room for a request's fields other than the messages, bytes. */
  static final int REQUEST_OVERHEAD_BYTES = 4096;

  /** Writes non-ASCII as \\u escapes: the worst case of how a prompt can be encoded. */
  private static final ObjectMapper ESCAPING =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
          .build();

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new ApiException(400, "invalid-field", "field '" + field + "' must be a string");
    }
    return v.asText();
  }
}
