package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.orchestrator.security.SiteSecurity;
import dev.moe2.planning.CategoryConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
  private final Clock clock;
  private final HttpEdge arrival;

  /** Routes streamed requests (the HTTP worker meanwhile writes their chunks). */
  private final java.util.concurrent.ExecutorService streams =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "moe2-stream");
            t.setDaemon(true);
            return t;
          });

  ChatResource(
      RequestRouter router,
      PlanningService planning,
      OrchestratorConfig config,
      Clock clock,
      HttpEdge arrival) {
    this.arrival = arrival;
    this.router = router;
    this.planning = planning;
    this.clock = clock;
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
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces({MediaType.APPLICATION_JSON, "text/event-stream"})
  @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(
      responseCode = "200",
      description = "the answer (JSON), or its chunks (text/event-stream) with stream: true",
      headers =
          @org.eclipse.microprofile.openapi.annotations.headers.Header(
              name = SERVER_TIMING,
              description =
                  "JSON answers: where the orchestrator's time went, in ms: embed (the prompt's"
                      + " embedding), select (category, gate, ranking), experts (dispatch to the"
                      + " last reply), total (arrival to the combined answer)",
              schema =
                  @org.eclipse.microprofile.openapi.annotations.media.Schema(
                      implementation = String.class)),
      content = {
        @org.eclipse.microprofile.openapi.annotations.media.Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema =
                @org.eclipse.microprofile.openapi.annotations.media.Schema(
                    implementation = OpenApiSchemas.Response.class)),
        @org.eclipse.microprofile.openapi.annotations.media.Content(
            mediaType = "text/event-stream",
            schema =
                @org.eclipse.microprofile.openapi.annotations.media.Schema(
                    implementation = String.class))
      })
  @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(
      responseCode = "400",
      description = "bad input; 404 model_not_found, 413, 422 over-budget, 429, 503 alike",
      content =
          @org.eclipse.microprofile.openapi.annotations.media.Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema =
                  @org.eclipse.microprofile.openapi.annotations.media.Schema(
                      implementation = OpenApiSchemas.ErrorBody.class)))
  public Response complete(
      @org.eclipse.microprofile.openapi.annotations.parameters.RequestBody(
              required = true,
              content =
                  @org.eclipse.microprofile.openapi.annotations.media.Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema =
                          @org.eclipse.microprofile.openapi.annotations.media.Schema(
                              implementation = OpenApiSchemas.Request.class)))
          byte[] body,
      io.vertx.ext.web.RoutingContext rc) {
    java.time.Instant arrived = arrival.of(rc);
    ChatRequest request = ChatRequest.parse(body, maxBody);
    String model = request.ask().model();
    if (!model.equals("auto") && planning.category(model).isEmpty()) {
      // as OpenAI answers an unknown model: clients raise their NotFoundError
      throw new ApiException(
          404,
          "model_not_found",
          "the model '"
              + model
              + "' does not exist: the models are the categories "
              + planning.categories().stream().map(CategoryConfig::id).toList()
              + " and 'auto' (GET /v1/models)");
    }
    RequestRouter.Ask ask = request.ask().withCaller(SiteSecurity.keyIdOf(rc));
    long created = clock.instant().getEpochSecond();
    if (request.stream()) {
      return stream(ask, arrived, created, request.includeUsage(), rc);
    }
    RequestRouter.Answer a = router.route(ask, arrived);
    String id = "chatcmpl-" + a.decision().requestId();
    return Response.ok(
            completion(id, created, a.decision().category(), a), MediaType.APPLICATION_JSON)
        .header(SERVER_TIMING, serverTiming(a.timings()))
        .build();
  }

  static final String SERVER_TIMING = "Server-Timing";

  /**
   * The W3C {@code Server-Timing} value of an answer: where the orchestrator's time went, in
   * milliseconds ({@code embed}, {@code select}, {@code experts}, {@code total}; see {@link
   * RequestRouter.Timings}). Browsers' developer tools show it; clients may log it.
   */
  static String serverTiming(RequestRouter.Timings t) {
    return String.format(
        java.util.Locale.ROOT,
        "embed;dur=%.3f, select;dur=%.3f, experts;dur=%.3f, total;dur=%.3f",
        t.embed().toNanos() / 1e6,
        t.select().toNanos() / 1e6,
        t.experts().toNanos() / 1e6,
        t.total().toNanos() / 1e6);
  }

  /**
   * A streamed answer: the request is routed on a thread of its own that feeds the stream; this
   * worker answers once the first text (or the end) is there, and then writes the chunks as they
   * come. A refusal or failure before any text is the usual JSON error.
   */
  private Response stream(
      RequestRouter.Ask ask,
      java.time.Instant arrived,
      long created,
      boolean includeUsage,
      io.vertx.ext.web.RoutingContext rc) {
    SseStream s = new SseStream(JSON, created, includeUsage, () -> rc.response().closed());
    Runnable routing = () -> s.route(() -> router.route(ask, arrived, s));
    try {
      streams.execute(io.opentelemetry.context.Context.current().wrap(routing));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new ApiException(503, "overloaded", "the orchestrator is stopping; retry shortly");
    }
    s.awaitFirst();
    return Response.ok((jakarta.ws.rs.core.StreamingOutput) s::writeTo, "text/event-stream")
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no")
        .build();
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    streams.shutdown();
  }

  private static ObjectNode completion(
      String id, long created, String category, RequestRouter.Answer a) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", id)
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", category);
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", a.text());
    choice.put("finish_reason", a.finishReason());
    usage(out, a);
    out.set("moe2", JSON.valueToTree(a.decision()));
    return out;
  }

  private static void usage(ObjectNode out, RequestRouter.Answer a) {
    out.putObject("usage")
        .put("prompt_tokens", a.promptTokens())
        .put("completion_tokens", a.completionTokens())
        .put("total_tokens", a.promptTokens() + a.completionTokens());
  }
}
