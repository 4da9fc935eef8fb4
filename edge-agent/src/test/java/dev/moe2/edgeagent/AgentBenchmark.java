package dev.moe2.edgeagent;

import dev.moe2.edgeagent.config.ConfigLoader;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import dev.moe2.protocol.testing.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/bench-agent}: agent overhead per request and ONNX tokens/s through the agent. */
@Command(
    name = "bench-agent",
    mixinStandardHelpOptions = true,
    description = {
      "Starts an embedded HiveMQ CE broker on 127.0.0.1 and one agent, then measures, as an",
      "orchestrator sees it: the round trip of requests to an instant simulated expert (the",
      "agent's overhead: MQTT in, backend, MQTT out) and stories260K greedy generation through",
      "the agent (tokens/s). The last line is a key=value summary."
    })
public final class AgentBenchmark implements Callable<Integer> {

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(names = "--requests", defaultValue = "2000", description = "Timed overhead requests.")
  int requests;

  @Option(names = "--warmup", defaultValue = "300", description = "Untimed requests first.")
  int warmup;

  @Option(names = "--onnx-requests", defaultValue = "10", description = "stories260K requests.")
  int onnxRequests;

  @Option(
      names = "--onnx-tokens",
      defaultValue = "200",
      description = "Max tokens per stories260K request.")
  int onnxTokens;

  public static void main(String[] args) {
    System.setProperty("java.util.logging.config.file", "");
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new AgentBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path models = shared.resolve("models/stories260K").toAbsolutePath();
    if (!Files.isRegularFile(models.resolve("stories260K.onnx"))) {
      System.err.println("error: stories260K not found at " + models);
      return 2;
    }
    Path dir = Files.createTempDirectory("bench-agent");
    System.err.println("bench-agent: starting the embedded broker ...");
    double[] result;
    try (EmbeddedBroker broker = EmbeddedBroker.start(dir)) {
      Path cfg = dir.resolve("agent.yaml");
      Files.writeString(
          cfg,
          """
          agentId: bench-1
          deviceClass: rtx-4090
          powerMode: pl450
          mqtt: {uri: "%s"}
          serving: {maxConcurrent: 4}
          energy: {meter: simulated}
          simulation: {noise: 0, timeScale: 0}
          experts:
            - {model: zephyr-7b-beta, backend: simulated, simulated: {answerTokens: 1}}
            - model: stories260k
              backend: onnx
              onnx: {model: "%s", tokenizer: "%s", threads: 1}
          """
              .formatted(
                  broker.uri(), models.resolve("stories260K.onnx"), models.resolve("tok512.bin")));
      Agent agent =
          AgentFactory.build(ConfigLoader.load(cfg, Map.of(), Map.of()), Clock.systemUTC()).start();
      try (Orchestra o = new Orchestra(broker.uri(), "bench-orch")) {
        o.awaitOne(
            dev.moe2.protocol.AgentState.class,
            s -> s.agentId().equals(agent.id()) && s.status() == AgentStatus.ONLINE);
        Histogram h = new Histogram(60_000_000_000L, 3);
        int total = warmup + requests;
        for (int i = 0; i < total; i++) {
          long t0 = System.nanoTime();
          roundTrip(o, agent, "zephyr-7b-beta", "o-" + i, "Which planet is largest?", 1);
          if (i >= warmup) {
            h.recordValue(System.nanoTime() - t0);
          }
          if ((i + 1) % 500 == 0) {
            System.err.printf(Locale.ROOT, "  overhead: %d/%d%n", i + 1, total);
          }
          o.received.clear();
        }
        roundTrip(o, agent, "stories260k", "onnx-warm", "", onnxTokens);
        long tokens = 0;
        long onnxNanos = 0;
        for (int i = 0; i < onnxRequests; i++) {
          long t0 = System.nanoTime();
          InferenceReply r = roundTrip(o, agent, "stories260k", "onnx-" + i, "", onnxTokens);
          onnxNanos += System.nanoTime() - t0;
          tokens += r.completionTokens();
          o.received.clear();
        }
        result =
            new double[] {
              h.getValueAtPercentile(50) / 1e6,
              h.getValueAtPercentile(90) / 1e6,
              h.getValueAtPercentile(99) / 1e6,
              tokens,
              tokens / (onnxNanos / 1e9)
            };
      } finally {
        agent.close();
      }
    }
    System.out.printf(Locale.ROOT, "%-34s %10s%n", "measure", "value");
    System.out.printf(Locale.ROOT, "%-34s %10d%n", "overhead requests", requests);
    System.out.printf(Locale.ROOT, "%-34s %10.3f%n", "overhead p50 (ms)", result[0]);
    System.out.printf(Locale.ROOT, "%-34s %10.3f%n", "overhead p90 (ms)", result[1]);
    System.out.printf(Locale.ROOT, "%-34s %10.3f%n", "overhead p99 (ms)", result[2]);
    System.out.printf(Locale.ROOT, "%-34s %10.0f%n", "stories260K tokens", result[3]);
    System.out.printf(
        Locale.ROOT, "%-34s %10.1f%n", "stories260K tokens/s (end to end)", result[4]);
    System.out.printf(
        Locale.ROOT,
        "agent overhead_p50_ms=%.3f overhead_p99_ms=%.3f onnx_tok_s=%.1f requests=%d%n",
        result[0],
        result[2],
        result[4],
        requests);
    return 0;
  }

  private static InferenceReply roundTrip(
      Orchestra o, Agent a, String model, String id, String prompt, int maxTokens)
      throws InterruptedException {
    Instant now = Instant.now();
    o.request(
        new InferenceRequest(
            RequestId.of(id),
            1,
            a.id(),
            ModelId.of(model),
            List.of(new ChatMessage(ChatRole.USER, prompt)),
            GenerationParams.greedy(maxTokens),
            now,
            now.plus(Duration.ofSeconds(60)),
            Topic.replies(o.id(), a.id()).name()));
    return o.next(
        InferenceReply.class, r -> r.requestId().value().equals(id), Duration.ofSeconds(60));
  }
}
