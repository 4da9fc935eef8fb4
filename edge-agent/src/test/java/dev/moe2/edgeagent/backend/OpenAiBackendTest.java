package dev.moe2.edgeagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.GenerationParams;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against an HTTP server on 127.0.0.1 that answers as llama.cpp's server does ({@code
 * /v1/chat/completions} with {@code stream: true}: {@code data:} chunks with {@code
 * choices[0].delta.content}, a final chunk with {@code finish_reason} and {@code usage}, then
 * {@code data: [DONE]}; OpenAI API reference, "chat completion chunk object").
 */
class OpenAiBackendTest {

  private HttpServer server;
  private final AtomicReference<String> lastBody = new AtomicReference<>();

  private String serve(int status, String body) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          lastBody.set(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .add("Content-Type", status == 200 ? "text/event-stream" : "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static final List<ChatMessage> PROMPT = List.of(new ChatMessage(ChatRole.USER, "2+2?"));

  @Test
  void generate_streamedAnswer_textUsageAndTtft() throws IOException {
    String url =
        serve(
            200,
            """
            data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}

            data: {"choices":[{"index":0,"delta":{"content":"The answer"}}]}

            data: {"choices":[{"index":0,"delta":{"content":" is 4."}}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}

            data: [DONE]

            """);
    try (OpenAiBackend b = new OpenAiBackend(url, "zephyr", Duration.ofSeconds(5), "secret")) {
      b.load();
      Generation g =
          b.generate(
              PROMPT, new GenerationParams(32, 0.7, 0.9, 42L, List.of("\n\n")), Cancellation.NONE);

      assertThat(g.text()).isEqualTo("The answer is 4.");
      assertThat(g.promptTokens()).isEqualTo(12);
      assertThat(g.completionTokens()).isEqualTo(5);
      assertThat(g.finishReason()).isEqualTo(FinishReason.STOP);
      assertThat(g.ttft()).isPositive().isLessThanOrEqualTo(g.total());
    }
    assertThat(lastBody.get())
        .contains("\"model\":\"zephyr\"")
        .contains("\"max_tokens\":32")
        .contains("\"seed\":42")
        .contains("\"stream\":true")
        .contains("\"include_usage\":true");
  }

  @Test
  void generate_lengthFinishWithoutUsage_countsChunks() throws IOException {
    String url =
        serve(
            200,
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"b\"},\"finish_reason\":\"length\"}]}\n\n"
                + "data: [DONE]\n\n");
    try (OpenAiBackend b = new OpenAiBackend(url, "m", Duration.ofSeconds(5), null)) {
      b.load();
      Generation g = b.generate(PROMPT, GenerationParams.greedy(2), Cancellation.NONE);
      assertThat(g.completionTokens()).isEqualTo(2);
      assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    }
  }

  @Test
  void generate_capReachedAfterTwoChunks_endsThereWithEnergyCapAndTheEstimatedPrompt()
      throws IOException {
    StringBuilder stream = new StringBuilder();
    for (String piece : List.of("a", "b", "c", "d", "e")) {
      stream.append("data: {\"choices\":[{\"delta\":{\"content\":\"" + piece + "\"}}]}\n\n");
    }
    stream.append(
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5}}\n\n");
    String url = serve(200, stream.append("data: [DONE]\n\n").toString());
    Cancellation twoTokens =
        new Cancellation() {
          @Override
          public boolean cancelled() {
            return false;
          }

          @Override
          public FinishReason stopBefore(int promptTokens, int tokensDone, Duration busy) {
            return tokensDone >= 2 ? FinishReason.ENERGY_CAP : null;
          }
        };
    try (OpenAiBackend b = new OpenAiBackend(url, "m", Duration.ofSeconds(5), null)) {
      b.load();
      Generation g = b.generate(PROMPT, GenerationParams.greedy(16), twoTokens);

      assertThat(g.text()).isEqualTo("ab");
      assertThat(g.completionTokens()).isEqualTo(2);
      assertThat(g.finishReason()).isEqualTo(FinishReason.ENERGY_CAP);
      assertThat(g.promptTokens())
          .as("the usage chunk never came: the estimate the cap was judged on")
          .isEqualTo(b.promptTokens(PROMPT));
      assertThat(lastBody.get()).contains("\"max_tokens\":16");
    }
  }

  @Test
  void promptTokens_estimate_isAtLeastOneTokenPerThreeCharacters() {
    OpenAiBackend b = new OpenAiBackend("http://127.0.0.1:1/v1", "m", Duration.ofSeconds(1), null);
    List<ChatMessage> long300 = List.of(new ChatMessage(ChatRole.USER, "x".repeat(300)));

    assertThat(b.promptTokens(long300)).isGreaterThanOrEqualTo(100);
  }

  @Test
  void generate_serverError_isABackendFailureWithStatusAndBody() throws IOException {
    String url = serve(503, "{\"error\":{\"message\":\"Loading model\",\"code\":503}}");
    try (OpenAiBackend b = new OpenAiBackend(url, "m", Duration.ofSeconds(5), null)) {
      b.load();
      assertThatThrownBy(() -> b.generate(PROMPT, GenerationParams.greedy(4), Cancellation.NONE))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("HTTP 503")
          .hasMessageContaining("Loading model");
    }
  }

  @Test
  void generate_nothingListening_namesTheUrl() {
    try (OpenAiBackend b =
        new OpenAiBackend("http://127.0.0.1:9/v1", "m", Duration.ofSeconds(2), null)) {
      b.load();
      assertThatThrownBy(() -> b.generate(PROMPT, GenerationParams.greedy(4), Cancellation.NONE))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("http://127.0.0.1:9/v1/chat/completions");
    }
  }
}
