package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.gating.planning.CategoryConfig;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} where {@code model} is a category or
 * {@code auto}, with an optional {@code moe2} extension ({@code delayBudgetS}, {@code
 * energyBudgetJ}, {@code k}); {@code GET /v1/models} lists the categories.
 */
@Path("/v1")
@Blocking
public class ChatResource {

  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  private final RequestRouter router;
  private final PlanningService planning;
  private final int maxBody;

  ChatResource(RequestRouter router, PlanningService planning, OrchestratorConfig config) {
    this.router = router;
    this.planning = planning;
    this.maxBody = config.requests().maxBodyKib() * 1024;
  }

  @GET
  @Path("/models")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> models() {
    List<Map<String, Object>> data = new ArrayList<>();
    data.add(Map.of("id", "auto", "object", "model", "owned_by", "moe2"));
    for (CategoryConfig c : planning.categories()) {
      data.add(Map.of("id", c.id(), "object", "model", "owned_by", "moe2"));
    }
    return Map.of("object", "list", "data", data);
  }

  @POST
  @Path("/chat/completions")
  @Consumes(MediaType.WILDCARD)
  @Produces({MediaType.APPLICATION_JSON, "text/event-stream"})
  public Response complete(byte[] body) {
    if (body.length > maxBody) {
      throw new ApiException(
          413, "body-too-large", "the body has " + body.length + " bytes; the limit is " + maxBody);
    }
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
    String model = text(root, "model", "auto");
    JsonNode ms = root.get("messages");
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
        throw new ApiException(
            400,
            "invalid-field",
            "field 'messages["
                + i
                + "].role' has value '"
                + role
                + "': it must be system, user or assistant");
      }
      if (content == null) {
        throw new ApiException(
            400, "invalid-field", "field 'messages[" + i + "].content' is required");
      }
      messages.add(new ChatMessage(r, content));
    }
    int maxTokens = root.path("max_tokens").asInt(256);
    if (maxTokens < 1) {
      throw new ApiException(
          400, "invalid-field", "field 'max_tokens' has value " + maxTokens + ": it must be >= 1");
    }
    double temperature = root.path("temperature").asDouble(0);
    if (temperature < 0 || temperature > 2) {
      throw new ApiException(
          400,
          "invalid-field",
          "field 'temperature' has value " + temperature + ": it must be in [0, 2]");
    }
    double topP = root.path("top_p").asDouble(1);
    JsonNode ext = root.path("moe2");
    Double delay = positive(ext, "delayBudgetS");
    Double energy = positive(ext, "energyBudgetJ");
    Integer k = ext.has("k") ? ext.get("k").asInt() : null;
    if (k != null && k < 1) {
      throw new ApiException(
          400, "invalid-field", "field 'moe2.k' has value " + k + ": it must be >= 1");
    }
    if (!model.equals("auto") && planning.category(model).isEmpty()) {
      throw new ApiException(
          400,
          "unknown-category",
          "model '"
              + model
              + "' is not a category ("
              + planning.categories().stream().map(CategoryConfig::id).toList()
              + ") or 'auto'");
    }
    RequestRouter.Answer a =
        router.route(
            new RequestRouter.Ask(model, messages, maxTokens, temperature, topP, delay, energy, k));
    long created = Instant.now().getEpochSecond();
    String id = "chatcmpl-" + a.decision().requestId();
    String category = a.decision().category();
    if (root.path("stream").asBoolean(false)) {
      return Response.ok(sse(id, created, category, a), "text/event-stream").build();
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("id", id)
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", category);
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", a.text());
    choice.put("finish_reason", "stop");
    out.putObject("usage")
        .put("prompt_tokens", a.promptTokens())
        .put("completion_tokens", a.completionTokens())
        .put("total_tokens", a.promptTokens() + a.completionTokens());
    out.set("moe2", JSON.valueToTree(a.decision()));
    return Response.ok(out, MediaType.APPLICATION_JSON).build();
  }

  private static String sse(String id, long created, String model, RequestRouter.Answer a) {
    ObjectNode first = JSON.createObjectNode();
    first
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
    ObjectNode c1 = first.putArray("choices").addObject();
    c1.put("index", 0);
    c1.putObject("delta").put("role", "assistant").put("content", a.text());
    c1.putNull("finish_reason");
    ObjectNode last = JSON.createObjectNode();
    last.put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
    ObjectNode c2 = last.putArray("choices").addObject();
    c2.put("index", 0);
    c2.putObject("delta");
    c2.put("finish_reason", "stop");
    last.set("moe2", JSON.valueToTree(a.decision()));
    return "data: " + first + "\n\n" + "data: " + last + "\n\n" + "data: [DONE]\n\n";
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
