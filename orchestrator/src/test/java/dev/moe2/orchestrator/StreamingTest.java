package dev.moe2.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.edgeagent.Agent;
import dev.moe2.edgeagent.AgentFactory;
import dev.moe2.edgeagent.config.ConfigLoader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streaming as a client sees it, through the embedded broker to a real agent whose simulated
 * experts take real time (time scale 0.5: a 256-token math answer runs for about 0.7 s): the first
 * text reaches the client long before the answer ends, and a client that goes away stops the
 * generation on the agent.
 */
@QuarkusTest
class StreamingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODELS =
      "zephyr-7b-beta, mistral-7b, metamath-mistral-7b, chinese-mistral-7b,"
          + " dolphin-2.6-mistral-7b, meta-llama-3-8b, dolphin-2.9-llama3-8b";

  static Agent agent;

  @TestHTTPResource("/v1/chat/completions")
  URL completions;

  @BeforeAll
  static void slowAgent() throws Exception {
    Path dir = Files.createTempDirectory("agent");
    StringBuilder experts = new StringBuilder();
    for (String m : MODELS.split(",\\s*")) {
      experts
          .append("  - {model: ")
          .append(m)
          .append(", backend: simulated, simulated: {answerTokens: 256}}\n");
    }
    Path cfg = dir.resolve("stream-rtx-1.yaml");
    Files.writeString(
        cfg,
        """
        agentId: stream-rtx-1
        deviceClass: rtx-4090
        powerMode: pl450
        mqtt: {uri: "tcp://127.0.0.1:18831", keepAliveS: 2, reconnectInitialMs: 50, reconnectMaxMs: 500}
        energy: {meter: simulated}
        power: {controller: simulated}
        simulation: {seed: 5, noise: 0.0, timeScale: 0.5}
        experts:
        %s"""
            .formatted(experts));
    agent = AgentFactory.build(ConfigLoader.load(cfg, Map.of(), Map.of()), Clock.systemUTC());
    agent.start();
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  /** Math's budget as the other tests know it. */
  @org.junit.jupiter.api.AfterEach
  void restoreMathBudget() {
    given()
        .contentType("application/json")
        .body("{\"energyBudgetJ\": 250}")
        .put("/api/budgets/math")
        .then()
        .statusCode(200);
  }

  @BeforeEach
  void awaitReadyAndPlanned() {
    OrchestratorEndToEndTest.awaitReadyAndConfirmed("stream-rtx-1");
    // an RTX 4090 spends about 600 J on 256 tokens: math's budget (250 J) made room for it
    given()
        .contentType("application/json")
        .body("{\"energyBudgetJ\": 2000}")
        .put("/api/budgets/math")
        .then()
        .statusCode(200);
    // planned and confirmed with it: a one-token math question is answered
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                given()
                        .contentType("application/json")
                        .body(
                            "{\"model\": \"math\", \"max_tokens\": 1, \"messages\":"
                                + " [{\"role\": \"user\", \"content\": \"1+1?\"}]}")
                        .post("/v1/chat/completions")
                        .statusCode()
                    == 200);
  }

  static String mathStream(String question) {
    return """
        {"model": "math", "stream": true, "stream_options": {"include_usage": true},
         "max_tokens": 256, "messages": [{"role": "user", "content": "%s"}]}"""
        .formatted(question);
  }

  /** One {@code data:} line and when it arrived (ns since the request was sent). */
  record Line(long atNs, String data) {}

  @Test
  void chatStream_slowExpert_firstTextLongBeforeTheEndAndTheTextIsTheAnswer() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long sent = System.nanoTime();
    HttpResponse<java.util.stream.Stream<String>> response =
        http.send(
            HttpRequest.newBuilder(completions.toURI())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        mathStream("A farmer has 17 sheep and buys 5 more. How many now?")))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    List<Line> lines = new ArrayList<>();
    List<String> all = new ArrayList<>();
    response
        .body()
        .peek(all::add)
        .filter(l -> l.startsWith("data: "))
        .forEach(l -> lines.add(new Line(System.nanoTime() - sent, l.substring(6))));

    assertThat(response.statusCode()).as("status; body %s", all).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .contains("text/event-stream");
    assertThat(lines.get(lines.size() - 1).data()).isEqualTo("[DONE]");
    List<Line> content = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    JsonNode last = null;
    JsonNode usage = null;
    for (Line l : lines.subList(0, lines.size() - 1)) {
      JsonNode chunk = JSON.readTree(l.data());
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      JsonNode choice = chunk.path("choices").path(0);
      if (choice.path("delta").has("content")) {
        content.add(l);
        text.append(choice.path("delta").path("content").asText());
      }
      if (chunk.has("moe2")) {
        last = chunk;
      }
      if (chunk.has("usage")) {
        usage = chunk.path("usage");
      }
    }
    assertThat(content).as("content chunks").hasSizeGreaterThanOrEqualTo(4);
    long end = lines.get(lines.size() - 1).atNs();
    long first = content.get(0).atNs();
    assertThat(first)
        .as("first text at %d ms, end at %d ms", first / 1_000_000, end / 1_000_000)
        .isLessThan(end / 3);
    assertThat(last).isNotNull();
    JsonNode moe2 = last.path("moe2");
    assertThat(text.toString()).isEqualTo(moe2.path("answer").asText());
    assertThat(moe2.path("streamedBy").asText()).isEqualTo(moe2.path("answeredBy").asText());
    assertThat(moe2.path("ttftMs").asDouble())
        .isPositive()
        .isLessThan(moe2.path("totalMs").asDouble() / 3);
    assertThat(last.path("choices").path(0).path("finish_reason").asText()).isIn("stop", "length");
    assertThat(usage).as("the usage chunk (stream_options.include_usage)").isNotNull();
    assertThat(usage.path("completion_tokens").asInt()).isPositive();
    assertThat(given().get("/q/metrics").asString())
        .contains("moe2_time_to_first_token_seconds_bucket{category=\"math\"");
  }

  @Test
  void chatStream_clientGoneAfterTheFirstText_generationWithdrawnOnTheAgent() throws Exception {
    long cancelledBefore = agent.counters().cancelled();
    String body = mathStream("A train leaves at 3 pm at 60 km/h. How far by 5 pm?");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    URI uri = completions.toURI();
    StringBuilder seen = new StringBuilder();
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + uri.getPath()
                  + " HTTP/1.1\r\nHost: "
                  + uri.getHost()
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      try {
        while ((line = in.readLine()) != null && !line.contains("\"content\"")) {
          seen.append(line).append('\n'); // headers and chunk sizes until the first text
        }
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("no text within 20 s; read:\n" + seen, e);
      }
      assertThat(line).as("a first chunk with text after %s", seen).isNotNull();
    } // the client goes away here, long before the 256 tokens are done

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(agent.counters().cancelled()).isEqualTo(cancelledBefore + 1));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Map<String, Object> d =
                  given().get("/api/decisions").jsonPath().getList("$", Map.class).stream()
                      .filter(x -> "client-gone".equals(x.get("outcome")))
                      .findFirst()
                      .orElseThrow(() -> new AssertionError("no client-gone decision yet"));
              assertThat(d.get("chosen").toString()).contains("status=withdrawn");
            });
  }
}
