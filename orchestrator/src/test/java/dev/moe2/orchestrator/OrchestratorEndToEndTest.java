package dev.moe2.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.moe2.edgeagent.Agent;
import dev.moe2.edgeagent.AgentFactory;
import dev.moe2.edgeagent.config.ConfigLoader;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.testing.FaultProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The orchestrator with its embedded broker and two real edge agents (simulated backends) over MQTT
 * on 127.0.0.1: requests flow, bad input is refused in one shape, budgets re-plan, an agent killed
 * mid-request loses no request and the fleet is re-planned without it.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrchestratorEndToEndTest {

  static final List<Agent> AGENTS = new ArrayList<>();
  static final Map<String, FaultProxy> NETWORK = new java.util.concurrent.ConcurrentHashMap<>();
  static final String MODELS =
      "[zephyr-7b-beta, mistral-7b, metamath-mistral-7b, chinese-mistral-7b, dolphin-2.6-mistral-7b, meta-llama-3-8b, dolphin-2.9-llama3-8b]";

  public static Agent agent(String id, String deviceClass, String mode) throws Exception {
    Path dir = Files.createTempDirectory("agent");
    StringBuilder experts = new StringBuilder();
    for (String m : MODELS.substring(1, MODELS.length() - 1).split(", ")) {
      experts.append("  - {model: ").append(m).append(", backend: simulated}\n");
    }
    Path cfg = dir.resolve(id + ".yaml");
    // each agent reaches the broker through a relay the test can cut (a crash, a pulled cable)
    FaultProxy network = FaultProxy.to("tcp://127.0.0.1:18831");
    NETWORK.put(id, network);
    Files.writeString(
        cfg,
        """
        agentId: %s
        deviceClass: %s
        powerMode: %s
        mqtt: {uri: "%s", keepAliveS: 2, reconnectInitialMs: 50, reconnectMaxMs: 500}
        energy: {meter: simulated}
        power: {controller: simulated}
        simulation: {seed: 3, noise: 0.0, timeScale: 0.01}
        experts:
        %s"""
            .formatted(id, deviceClass, mode, network.uri(), experts));
    Agent a =
        AgentFactory.build(ConfigLoader.load(cfg, Map.of(), Map.of()), Clock.systemUTC()).start();
    AGENTS.add(a);
    return a;
  }

  @BeforeAll
  static void startAgents() throws Exception {
    agent("orin-agx-1", "jetson-agx-orin-64gb", "maxn");
    agent("orin-agx-2", "jetson-agx-orin-64gb", "maxn");
    agent("rtx4090-1", "rtx-4090", "pl450");
  }

  /** The gate trains in the background on a fresh checkout: readiness says when it is done. */
  @BeforeEach
  void awaitReady() {
    await()
        .atMost(Duration.ofMinutes(5))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
  }

  @AfterAll
  static void stopAgents() {
    AGENTS.forEach(Agent::close);
    NETWORK.values().forEach(FaultProxy::close);
  }

  static void awaitPlanConfirmed(int agents) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<Map<String, Object>> fleet = given().get("/api/fleet").jsonPath().getList("$");
              return fleet.stream()
                      .filter(
                          a ->
                              Boolean.TRUE.equals(a.get("online"))
                                  && Boolean.TRUE.equals(a.get("confirmed")))
                      .count()
                  == agents;
            });
  }

  /** The service ready (the gate trained) and agent {@code agentId} confirming the plan. */
  static void awaitReadyAndConfirmed(String agentId) {
    await()
        .atMost(Duration.ofMinutes(5))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                given().get("/api/fleet").jsonPath().getList("$", Map.class).stream()
                    .anyMatch(
                        a ->
                            agentId.equals(a.get("agentId"))
                                && Boolean.TRUE.equals(a.get("confirmed"))));
  }

  static void awaitAllOnlineConfirmed() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              List<Map<String, Object>> fleet = given().get("/api/fleet").jsonPath().getList("$");
              long online =
                  fleet.stream().filter(a -> Boolean.TRUE.equals(a.get("online"))).count();
              long confirmed =
                  fleet.stream()
                      .filter(
                          a ->
                              Boolean.TRUE.equals(a.get("online"))
                                  && Boolean.TRUE.equals(a.get("confirmed")))
                      .count();
              return online > 0 && online == confirmed;
            });
  }

  public static String chat(String model, String prompt) {
    return """
        {"model": "%s", "messages": [{"role": "user", "content": "%s"}], "max_tokens": 16}"""
        .formatted(model, prompt);
  }

  @Test
  @Order(1)
  void chat_knowledgeQuestion_answeredByPlannedExpertsWithAnExplanation() {
    awaitPlanConfirmed(3);
    io.restassured.response.ExtractableResponse<io.restassured.response.Response> response =
        given()
            .contentType(ContentType.JSON)
            .body(chat("knowledge", "Which planet is the largest? A. Mars B. Jupiter"))
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .body("object", equalTo("chat.completion"))
            .body("choices[0].message.content", notNullValue())
            .body("moe2.outcome", equalTo("answered"))
            .extract();
    JsonPath r = response.jsonPath();
    // where the orchestrator's time went: each part within the total, which the decision records
    Map<String, Double> timing = new java.util.LinkedHashMap<>();
    for (String metric : response.header("Server-Timing").split(",")) {
      String[] parts = metric.trim().split(";dur=");
      timing.put(parts[0], Double.parseDouble(parts[1]));
    }
    assertThat(timing).containsOnlyKeys("embed", "select", "experts", "total");
    assertThat(timing.get("embed")).isPositive();
    assertThat(timing.get("experts")).isPositive();
    assertThat(timing.get("embed") + timing.get("select") + timing.get("experts"))
        .isLessThanOrEqualTo(timing.get("total"));
    assertThat(r.getDouble("moe2.totalMs")).isCloseTo(timing.get("total"), within(50.0));
    List<Map<String, Object>> chosen = r.getList("moe2.chosen");
    assertThat(chosen).isNotEmpty();
    assertThat(chosen.get(0))
        .containsKeys("predictedDelayS", "measuredDelayS", "measuredEnergyJ", "weight");
    assertThat(chosen.get(0).get("energySource")).isEqualTo("simulated");
    assertThat(r.getList("moe2.usable")).isNotEmpty();
  }

  @Test
  @Order(2)
  void chat_modelAuto_categoryPredictedFromThePrompt() {
    given()
        .contentType(ContentType.JSON)
        .body(
            chat(
                "auto",
                "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?"))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200)
        .body("moe2.categoryPredicted", equalTo(true))
        .body("moe2.category", equalTo("math"));
  }

  @Test
  @Order(3)
  void chat_stream_serverSentEventsInTheOpenAiChunkFormat() {
    String body =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"model\":\"reasoning\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}]}")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .contentType(containsString("text/event-stream"))
            .extract()
            .asString();
    assertThat(body)
        .contains("\"object\":\"chat.completion.chunk\"")
        .contains("\"finish_reason\":\"stop\"")
        .endsWith("data: [DONE]\n\n");
  }

  @Test
  @Order(4)
  void chat_badInput_refusedWithOneErrorShapeAndStableCodes() {
    record Case(String body, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case("{not json", 400, "invalid-json"),
            new Case(chat("astrology", "hi"), 404, "model_not_found"),
            new Case("{\"model\":\"knowledge\",\"messages\":[]}", 400, "empty-messages"),
            new Case(
                "{\"model\":\"knowledge\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"moe2\":{\"energyBudgetJ\":-5}}",
                400,
                "invalid-budget"),
            new Case(
                "{\"model\":\"knowledge\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                400,
                "invalid-field"),
            new Case(
                "{\"model\":\"knowledge\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "x".repeat(300 * 1024)
                    + "\"}]}",
                413,
                "body-too-large"));
    for (Case c : cases) {
      given()
          .contentType(ContentType.JSON)
          .body(c.body())
          .post("/v1/chat/completions")
          .then()
          .statusCode(c.status())
          .body("error.code", equalTo(c.code()))
          .body("error.message", notNullValue())
          .body("error.type", equalTo("invalid_request_error"));
    }
    given()
        .body("{}")
        .contentType(ContentType.JSON)
        .put("/api/budgets/astrology")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("unknown-category"));
    given()
        .get("/api/pareto?category=nope")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("unknown-category"));
  }

  @Test
  @Order(5)
  void dashboardApi_fleetExpertsPlansDecisionsParetoModelsOpenApiMetricsHealth() {
    given()
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("data.id", hasItems("auto", "knowledge", "math", "reasoning", "code"));
    given()
        .get("/api/fleet")
        .then()
        .statusCode(200)
        .body("agentId", hasItems("orin-agx-1", "orin-agx-2", "rtx4090-1"));
    given().get("/api/experts").then().statusCode(200).body("modelId", hasItems("zephyr-7b-beta"));
    given()
        .get("/api/plans")
        .then()
        .statusCode(200)
        .body("size()", not(equalTo(0)))
        .body("[-1].optimality", equalTo("exact"));
    given().get("/api/decisions").then().statusCode(200).body("outcome", hasItems("answered"));
    given()
        .get("/api/pareto?category=knowledge")
        .then()
        .statusCode(200)
        .body("size()", equalTo(24))
        .body("pareto", hasItems(true));
    given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/chat/completions"));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("moe2_requests_total"))
        .body(containsString("moe2_replans_total"));
    given().get("/q/health/ready").then().statusCode(200).body(containsString("mqtt-broker-link"));
    given().get("/").then().statusCode(200).body(containsString("MoE² orchestrator"));
  }

  @Test
  @Order(6)
  void putBudgets_tighterKnowledgeEnergy_replansWithTheNewBudget() {
    long before = latestPlanVersion();
    given()
        .contentType(ContentType.JSON)
        .body("{\"energyBudgetJ\": 5, \"delayBudgetS\": 0.4}")
        .put("/api/budgets/knowledge")
        .then()
        .statusCode(200)
        .body("energyBudgetJ", equalTo(5.0f));
    await().atMost(Duration.ofSeconds(10)).until(() -> latestPlanVersion() > before);
    assertThat(given().get("/api/plans").jsonPath().getString("[-1].reason"))
        .contains("budgets of knowledge");
    given()
        .contentType(ContentType.JSON)
        .body("{\"energyBudgetJ\": 60, \"delayBudgetS\": 0.5}")
        .put("/api/budgets/knowledge")
        .then()
        .statusCode(200);
  }

  @Test
  @Order(8)
  void agentKilledMidRequests_everyRequestEndsAndThePlanDropsIt() throws Exception {
    awaitPlanConfirmed(3);
    List<CompletableFuture<Integer>> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String category = ReferenceWorkload.CATEGORIES.get(i % 4);
      sent.add(
          CompletableFuture.supplyAsync(
              () ->
                  given()
                      .contentType(ContentType.JSON)
                      .body(chat(category, "question " + System.nanoTime()))
                      .post("/v1/chat/completions")
                      .statusCode()));
    }
    NETWORK.get("rtx4090-1").blockForever(); // the host dies: the broker publishes its will

    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    long answered = sent.stream().filter(f -> f.join() == 200).count();
    long explicitErrors = sent.stream().filter(f -> f.join() == 503).count();
    assertThat(answered + explicitErrors).as("no request lost").isEqualTo(sent.size());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                given()
                    .get("/api/plans")
                    .jsonPath()
                    .getString("[-1].reason")
                    .contains("rtx4090-1 offline"));
    List<String> devices = given().get("/api/plans").jsonPath().getList("[-1].devices.deviceId");
    assertThat(devices).isNotEmpty().doesNotContain("rtx4090-1");
    awaitAllOnlineConfirmed();
    given()
        .contentType(ContentType.JSON)
        .body(chat("reasoning", "Still answering?"))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200);
  }

  /**
   * The k experts of a request on one agent (the issue-13 bug): every dispatch is answered on its
   * own and credited to its own model, with the latency and joules the agent sent for that model.
   */
  @Test
  @Order(9)
  void chat_kExpertsAllOnOneAgent_eachAnsweredAndCreditedToItsOwnModel() throws Exception {
    NETWORK.get("orin-agx-2").blockForever(); // with rtx4090-1 gone too, one agent is left
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                given()
                    .get("/api/plans")
                    .jsonPath()
                    .getList("[-1].devices.deviceId", String.class)
                    .equals(List.of("orin-agx-1")));
    awaitAllOnlineConfirmed();
    Map<String, InferenceReply> seen = new java.util.concurrent.ConcurrentHashMap<>();
    dev.moe2.protocol.JsonCodec codec = new dev.moe2.protocol.JsonCodec();
    dev.moe2.mqtt.MqttLink observer =
        new dev.moe2.mqtt.MqttLink(
            new dev.moe2.mqtt.MqttLink.Settings(
                "tcp://127.0.0.1:18831",
                "e2e-observer",
                null,
                null,
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                null,
                1),
            List.of(
                new dev.moe2.mqtt.MqttLink.Subscription("moe2/v1/orchestrators/+/replies/+", 1)),
            null,
            new dev.moe2.mqtt.MqttLink.Listener() {
              @Override
              public void connected(boolean reconnect) {}

              @Override
              public void arrived(dev.moe2.mqtt.MqttLink.Incoming m) {
                if (codec.decode(m.topic(), m.payload()) instanceof InferenceReply r) {
                  seen.put(r.requestId().value() + "|" + r.modelId().value(), r);
                }
              }
            });
    observer.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(observer::connected);
      for (int k : new int[] {2, 3}) {
        JsonPath decision = null;
        List<String> tried = new ArrayList<>();
        for (String category : ReferenceWorkload.CATEGORIES) {
          io.restassured.response.Response r =
              given()
                  .contentType(ContentType.JSON)
                  .body(
                      """
                      {"model": "%s", "max_tokens": 16, "moe2": {"k": %d},
                       "messages": [{"role": "user", "content": "k experts on one agent?"}]}"""
                          .formatted(category, k))
                  .post("/v1/chat/completions");
          tried.add(category + ": " + r.statusCode() + " " + r.asString());
          // a category the one agent cannot serve within its budgets is refused (503): next one
          if (r.statusCode() == 200 && r.jsonPath().getList("moe2.usable").size() >= k) {
            decision = r.jsonPath();
            break;
          }
        }
        assertThat(decision)
            .as("a category with %d usable experts on orin-agx-1; tried %s", k, tried)
            .isNotNull();
        String requestId = decision.getString("moe2.requestId");
        List<Map<String, Object>> chosen = decision.getList("moe2.chosen");
        assertThat(chosen).as("k = %d", k).hasSize(k);
        assertThat(chosen).extracting(c -> c.get("agent")).containsOnly("orin-agx-1");
        assertThat(chosen).extracting(c -> c.get("status")).containsOnly("replied");
        assertThat(chosen.stream().map(c -> c.get("model")).distinct()).hasSize(k);
        for (Map<String, Object> c : chosen) {
          String key = requestId + "|" + c.get("model");
          await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey(key));
          InferenceReply sent = seen.get(key);
          assertThat(((Number) c.get("measuredDelayS")).doubleValue())
              .as("latency credited to %s", c.get("model"))
              .isCloseTo(
                  sent.latency().total().toNanos() / 1e9,
                  org.assertj.core.data.Offset.offset(1e-6));
          assertThat(((Number) c.get("measuredEnergyJ")).doubleValue())
              .as("joules credited to %s", c.get("model"))
              .isCloseTo(sent.energy().joules().value(), org.assertj.core.data.Offset.offset(1e-6));
        }
      }
    } finally {
      observer.close();
    }
  }

  /** Hard budgets for this request: its real prompt length and max_tokens, not the planned ones. */
  @Test
  @Order(7)
  void chat_promptOrOutputBeyondTheBudget_refusedAtOnceOrCappedWithTheBindingBudget() {
    String longPrompt = "Explain the history of the Roman Empire in detail. ".repeat(700);
    JsonPath refused =
        given()
            .contentType(ContentType.JSON)
            .body(chat("knowledge", longPrompt))
            .post("/v1/chat/completions")
            .then()
            .statusCode(422)
            .body("error.code", equalTo("over-budget"))
            .extract()
            .jsonPath();
    assertThat(refused.getString("error.message"))
        .contains("within its delay budget")
        .contains("a prompt of up to")
        .contains("needs a delay budget of");

    JsonPath capped =
        given()
            .contentType(ContentType.JSON)
            .body(
                """
                {"model": "knowledge", "max_completion_tokens": 4000,
                 "messages": [{"role": "user", "content": "Which planet is the largest?"}]}""")
            .post("/v1/chat/completions")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    Map<String, Object> first = capped.getMap("moe2.chosen[0]");
    assertThat(((Number) first.get("outputCap")).intValue()).isBetween(8, 3999);
    assertThat(first.get("capBound")).isIn("delay", "energy");
    assertThat(((Number) first.get("predictedDelayS")).doubleValue()).isLessThanOrEqualTo(0.5);
    assertThat(((Number) first.get("predictedEnergyJ")).doubleValue())
        .isLessThanOrEqualTo(capped.getDouble("moe2.energyBudgetJ") + 1e-9);
    // the agent got its share of the energy budget as a cap, and its meter stayed within it
    double cap = ((Number) first.get("energyCapJ")).doubleValue();
    assertThat(cap).isPositive().isLessThanOrEqualTo(capped.getDouble("moe2.energyBudgetJ") + 1e-9);
    assertThat(((Number) first.get("measuredEnergyJ")).doubleValue()).isLessThanOrEqualTo(cap);
    assertThat(first.get("finishReason")).isIn("stop", "length", "energy-cap");

    List<Map<String, Object>> decisions = given().get("/api/decisions").jsonPath().getList("$");
    assertThat(decisions)
        .filteredOn(d -> "over-budget".equals(d.get("outcome")))
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d.get("refusedBy")).isIn("delay", "energy", "agent"));

    // the what-if says which prompt would have fitted, and that this one did not
    List<Map<String, Object>> fits =
        given()
            .queryParam("category", "knowledge")
            .queryParam("promptTokens", 7000)
            .queryParam("maxTokens", 8)
            .get("/api/fits")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    assertThat(fits)
        .isNotEmpty()
        .allSatisfy(
            f -> {
              assertThat(((Number) f.get("longestPromptForMaxTokens")).intValue())
                  .isBetween(-1, 6999);
              assertThat(((Number) f.get("maxTokensForPrompt")).intValue()).isEqualTo(-1);
            });
    assertThat(fits)
        .anySatisfy(f -> assertThat((Integer) f.get("longestPromptForMaxTokens")).isPositive());
    given()
        .queryParam("category", "nope")
        .get("/api/fits")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("unknown-category"));
  }

  static long latestPlanVersion() {
    List<Long> v = given().get("/api/plans").jsonPath().getList("version", Long.class);
    return v.isEmpty() ? 0 : v.get(v.size() - 1);
  }
}
