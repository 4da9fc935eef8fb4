package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.security.ApiRole;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.scenario.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI clients against the packaged orchestrator and the reference fleet, as an
 * application calls it ({@code scripts/openai-client}): a completion with usage, a stream with
 * {@code stream_options.include_usage}, content parts and the developer role, an unknown model as
 * {@code NotFoundError}, a made-up key as {@code AuthenticationError}. Node's client from npm and
 * Python's from the package index pip is configured with, both installed on first use; Python's is
 * skipped, saying so, only where pip cannot install it (the script's exit status 3).
 */
class OpenAiClientsIT {

  static final Path SCRIPT = SystemFaultsIT.ROOT.resolve("scripts/openai-client");

  record Run(int exit, String output) {}

  static Run client(String base, String key, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "--base-url", base + "/v1"));
    cmd.addAll(List.of("--model", "math", "--prompt", "What is 12 * 7?"));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("MOE2_API_KEY", key);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("scripts/openai-client " + extra.length + " timed out");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static boolean installed(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void officialClients_asApplicationsUseThem_allChecksPass() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed("npm", "--version"), "npm is not installed (.ci/run does)");
    }
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                SystemFaultsIT.JAR,
                SystemFaultsIT.SHARED,
                0,
                0,
                SystemFaultsIT.quickGate(),
                Duration.ofMinutes(5));
        SimulatedFleet fleet =
            SimulatedFleet.start(
                Scenario.load("reference"),
                orch.brokerUri(),
                SystemFaultsIT.ROUTERDC,
                orch.logins())) {
      new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER))
          .await(Duration.ofSeconds(90), w -> w.confirmed() == 4, "the reference fleet");
      String key = orch.apiKey(ApiRole.CLIENT);

      Run node = client(orch.baseUrl(), key);
      assertAllChecksPassed(node);

      langChain4j(orch.baseUrl(), key);

      Run python = client(orch.baseUrl(), key, "--python");
      Assumptions.assumeTrue(
          python.exit() != 3, "the Python client cannot be installed here: " + python.output());
      assertAllChecksPassed(python);
    }
  }

  /** A client run that passed every check of {@code scripts/openai-client}. */
  static void assertAllChecksPassed(Run run) {
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("completion (math")
        .contains("stream (finish")
        .contains("content parts")
        .contains("unknown model: 404 model_not_found (NotFoundError)")
        .contains("a made-up key: 401")
        .contains("all checks passed");
  }

  /** LangChain4j's chat model for {@code model} on the service, as the README builds it. */
  static dev.langchain4j.model.openai.OpenAiChatModel chatModel(
      String base, String key, String model) {
    return dev.langchain4j.model.openai.OpenAiChatModel.builder()
        .baseUrl(base + "/v1")
        .apiKey(key)
        .modelName(model)
        .maxTokens(32)
        .maxRetries(0)
        .build();
  }

  /**
   * LangChain4j's OpenAI models (Java), as the README shows them: a completion with its token
   * usage, a stream whose pieces add up to the answer, an unknown model refused.
   */
  static void langChain4j(String base, String key) throws Exception {
    dev.langchain4j.model.openai.OpenAiChatModel chat = chatModel(base, key, "math");
    dev.langchain4j.model.chat.response.ChatResponse r =
        chat.chat(
            dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("What is 12 * 7?"))
                .build());
    assertThat(r.aiMessage().text()).isNotBlank();
    assertThat(r.tokenUsage().totalTokenCount()).isPositive();

    dev.langchain4j.model.openai.OpenAiStreamingChatModel streaming =
        dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder()
            .baseUrl(base + "/v1")
            .apiKey(key)
            .modelName("math")
            .maxTokens(32)
            .build();
    java.util.concurrent.CompletableFuture<dev.langchain4j.model.chat.response.ChatResponse> done =
        new java.util.concurrent.CompletableFuture<>();
    StringBuilder pieces = new StringBuilder();
    streaming.chat(
        "What is 12 * 7?",
        new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String piece) {
            pieces.append(piece);
          }

          @Override
          public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse c) {
            done.complete(c);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    dev.langchain4j.model.chat.response.ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
    assertThat(pieces.toString()).isEqualTo(streamed.aiMessage().text()).isNotBlank();

    dev.langchain4j.model.openai.OpenAiChatModel unknown = chatModel(base, key, "no-such-model");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> unknown.chat("x"))
        .hasMessageContaining("model_not_found");
  }
}
