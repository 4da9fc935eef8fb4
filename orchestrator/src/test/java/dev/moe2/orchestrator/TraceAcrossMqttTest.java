package dev.moe2.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.edgeagent.Agent;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One request's trace across the broker: HTTP → gate → selection → dispatch → agent → reply, and
 * HTTP → combination, one parent/child chain. The agent runs in this JVM and reports to the same
 * SDK (the global one Quarkus installs), but its span's parent comes only from the MQTT 5 user
 * properties of the request: its worker thread has no current context.
 */
@QuarkusTest
class TraceAcrossMqttTest {

  static Agent agent;

  @Inject InMemorySpanExporter spans;

  @BeforeAll
  static void tracedAgent() throws Exception {
    agent = OrchestratorEndToEndTest.agent("trace-rtx-1", "rtx-4090", "pl450");
  }

  @AfterAll
  static void stop() {
    agent.close();
    OrchestratorEndToEndTest.AGENTS.remove(agent);
  }

  @Test
  void chat_traced_oneChainFromHttpThroughTheAgentAndBack() {
    OrchestratorEndToEndTest.awaitReadyAndConfirmed("trace-rtx-1");
    spans.reset();

    given()
        .contentType("application/json")
        .body(OrchestratorEndToEndTest.chat("knowledge", "What is the capital of France?"))
        .post("/v1/chat/completions")
        .then()
        .statusCode(200);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(names(spans.getFinishedSpanItems()))
                    .contains("moe2.reply", "moe2.combine", "moe2.agent.generate"));
    List<SpanData> mine = spans.getFinishedSpanItems();
    SpanData http =
        mine.stream()
            .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().contains("chat/completions"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no HTTP span among " + names(mine)));
    String trace = http.getTraceId();
    SpanData dispatch = one(mine, "moe2.dispatch");
    for (String child : List.of("moe2.gate", "moe2.select", "moe2.dispatch", "moe2.combine")) {
      SpanData s = one(mine, child);
      assertThat(s.getTraceId()).as(child + " trace").isEqualTo(trace);
      assertThat(s.getParentSpanId()).as(child + " parent").isEqualTo(http.getSpanId());
    }
    SpanData generate = one(mine, "moe2.agent.generate");
    assertThat(generate.getTraceId()).as("the agent continues the trace").isEqualTo(trace);
    assertThat(generate.getParentSpanId()).isEqualTo(dispatch.getSpanId());
    assertThat(generate.getAttributes().asMap().toString()).contains("trace-rtx-1");
    SpanData reply = one(mine, "moe2.reply");
    assertThat(reply.getTraceId()).isEqualTo(trace);
    assertThat(reply.getParentSpanId())
        .as("the reply is the agent's child")
        .isEqualTo(generate.getSpanId());
  }

  private static List<String> names(List<SpanData> spans) {
    return spans.stream().map(SpanData::getName).toList();
  }

  private static SpanData one(List<SpanData> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " among " + names(spans)));
  }
}
