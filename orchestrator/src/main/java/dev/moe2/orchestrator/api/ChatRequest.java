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

/**
 * An OpenAI chat-completions body, parsed and validated: every refusal is an {@link ApiException}
 * with a stable code and a message naming the field and its value.
 *
 * @param stream whether the client asked for server-sent events
 */
record ChatRequest(RequestRouter.Ask ask, boolean stream, boolean includeUsage) {

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
    refuseUnsupported(root);
    Integer n = Fields.integer(root, "n", "n", 1, Integer.MAX_VALUE);
    if (n != null && n != 1) {
      throw new ApiException(
          400,
          "unsupported-parameter",
          "field 'n' has value "
              + n
              + ": one choice per request (the experts' answers are combined into one); send "
              + n
              + " requests");
    }
    Long seed = seed(root.get("seed"));
    List<String> stop = stop(root.get("stop"));
    String user = text(root, "user", null);
    if (user != null && user.length() > MAX_USER) {
      throw invalid("user", "of " + user.length() + " characters", "at most " + MAX_USER);
    }
    boolean stream = Fields.bool(root, "stream", false);
    JsonNode so = root.get("stream_options");
    boolean includeUsage = false;
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw Fields.invalid("stream_options", so, "it must be an object");
      }
      if (!stream) {
        throw invalid("stream_options", so, "it is only allowed with stream: true");
      }
      includeUsage = Fields.bool(so, "include_usage", false);
    }
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
            null,
            seed,
            stop,
            user),
        stream,
        includeUsage);
  }

  /** The longest {@code user} accepted (OpenAI documents no limit; ids are short). */
  static final int MAX_USER = 256;

  /** OpenAI allows up to 4 stop sequences. */
  static final int MAX_STOP = 4;

  /**
   * Fields of the OpenAI API this service does not implement: each refused by name, with why,
   * rather than ignored.
   */
  private static final java.util.Map<String, String> UNSUPPORTED =
      java.util.Map.of(
          "tools", "this API has no function calling: the experts are plain text models",
          "tool_choice", "this API has no function calling: the experts are plain text models",
          "functions", "this API has no function calling: the experts are plain text models",
          "function_call", "this API has no function calling: the experts are plain text models",
          "logprobs", "the agents do not report token log-probabilities",
          "top_logprobs", "the agents do not report token log-probabilities",
          "response_format", "structured output (JSON mode, schemas) is not supported",
          "audio", "the experts are text models",
          "modalities", "the experts are text models (text only)");

  private static void refuseUnsupported(JsonNode root) {
    for (var e : UNSUPPORTED.entrySet()) {
      JsonNode v = root.get(e.getKey());
      if (v == null
          || v.isNull()
          || (e.getKey().equals("logprobs") && v.isBoolean() && !v.asBoolean())) {
        continue;
      }
      if (e.getKey().equals("modalities")
          && v.isArray()
          && v.size() == 1
          && "text".equals(v.get(0).asText())) {
        continue;
      }
      throw new ApiException(
          400,
          "unsupported-parameter",
          "field '" + e.getKey() + "' is not supported: " + e.getValue());
    }
  }

  private static Long seed(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw invalid("seed", v, "it must be an integer");
    }
    return v.asLong();
  }

  private static List<String> stop(JsonNode v) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v.isTextual()) {
      out.add(v.asText());
    } else if (v.isArray()) {
      for (JsonNode s : v) {
        if (!s.isTextual()) {
          throw invalid("stop", v, "it must be a string or an array of strings");
        }
        out.add(s.asText());
      }
    } else {
      throw invalid("stop", v, "it must be a string or an array of strings");
    }
    if (out.size() > MAX_STOP) {
      throw invalid("stop", v, "at most " + MAX_STOP + " sequences");
    }
    for (String s : out) {
      if (s.isEmpty() || s.length() > 64) {
        throw invalid("stop", v, "each sequence must have 1 to 64 characters");
      }
    }
    return out;
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
      if (m == null || !m.isObject()) {
        throw invalid("messages[" + i + "]", m, "it must be an object");
      }
      String role = text(m, "role", null);
      ChatRole r = role(role, i);
      String content = content(m.get("content"), i);
      messages.add(new ChatMessage(r, content));
    }
    return messages;
  }

  /**
   * OpenAI's roles: {@code developer} is the newer name of {@code system} (instructions from the
   * application) and is taken as one; {@code tool} and {@code function} carry results of function
   * calls, which this API does not make.
   */
  private static ChatRole role(String role, int i) {
    String field = "messages[" + i + "].role";
    if (role == null) {
      throw new ApiException(400, "invalid-field", "field '" + field + "' is required");
    }
    switch (role) {
      case "system", "developer":
        return ChatRole.SYSTEM;
      case "user":
        return ChatRole.USER;
      case "assistant":
        return ChatRole.ASSISTANT;
      case "tool", "function":
        throw new ApiException(
            400,
            "unsupported-role",
            "field '"
                + field
                + "' has value '"
                + role
                + "': this API makes no function calls, so there are no tool results to send;"
                + " put the text in a user message");
      default:
        throw invalid(field, "'" + role + "'", "it must be system, developer, user or assistant");
    }
  }

  /**
   * A message's content: a string, or OpenAI's list of content parts of which only {@code text}
   * parts are taken (joined by a blank line); any other part type is refused by name.
   */
  private static String content(JsonNode c, int i) {
    String field = "messages[" + i + "].content";
    if (c == null || c.isNull()) {
      throw new ApiException(400, "invalid-field", "field '" + field + "' is required");
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray() || c.isEmpty()) {
      throw invalid(
          field, c.isArray() ? "[]" : c, "it must be a string or a non-empty array of parts");
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < c.size(); j++) {
      JsonNode part = c.get(j);
      String at = field + "[" + j + "]";
      JsonNode type = part == null ? null : part.get("type");
      if (type == null || !type.isTextual()) {
        throw new ApiException(400, "invalid-field", "field '" + at + ".type' is required");
      }
      if (!type.asText().equals("text")) {
        throw new ApiException(
            400,
            "unsupported-content",
            "field '"
                + at
                + ".type' has value '"
                + type.asText()
                + "': only text parts are supported (the experts are text models)");
      }
      JsonNode t = part.get("text");
      if (t == null || !t.isTextual()) {
        throw new ApiException(
            400, "invalid-field", "field '" + at + ".text' is required and must be a string");
      }
      if (text.length() > 0) {
        text.append("\n\n");
      }
      text.append(t.asText());
    }
    return text.toString();
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
