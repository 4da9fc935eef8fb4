package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
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
    Integer maxTokens = null;
    if (root.hasNonNull(tokensField)) {
      JsonNode t = root.get(tokensField);
      if (!t.canConvertToInt() || !t.isIntegralNumber() || t.asInt() < 1) {
        throw invalid(tokensField, t, "it must be an integer >= 1");
      }
      maxTokens = t.asInt();
    }
    double temperature = root.path("temperature").asDouble(0);
    if (temperature < 0 || temperature > 2) {
      throw invalid("temperature", temperature, "it must be in [0, 2]");
    }
    double topP = root.path("top_p").asDouble(1);
    JsonNode ext = root.path("moe2");
    Double delay = positive(ext, "delayBudgetS");
    Double energy = positive(ext, "energyBudgetJ");
    Integer k = ext.has("k") ? ext.get("k").asInt() : null;
    if (k != null && k < 1) {
      throw invalid("moe2.k", k, "it must be >= 1");
    }
    return new ChatRequest(
        new RequestRouter.Ask(
            text(root, "model", "auto"), messages, maxTokens, temperature, topP, delay, energy, k),
        root.path("stream").asBoolean(false));
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
    return new ApiException(
        400, "invalid-field", "field '" + field + "' has value " + value + ": " + rule);
  }

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

  private static Double positive(JsonNode ext, String field) {
    if (!ext.has(field)) {
      return null;
    }
    double v = ext.get(field).asDouble(Double.NaN);
    if (!(v > 0)) {
      throw new ApiException(
          400,
          "invalid-budget",
          "field 'moe2." + field + "' has value " + ext.get(field) + ": it must be a number > 0");
    }
    return v;
  }
}
