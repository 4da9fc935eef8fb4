package dev.moe2.simulator;

import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.security.ApiRole;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.DoubleHistogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/bench-orchestrator}: overhead, sustained requests/s and re-plan time. */
@Command(
    name = "bench-orchestrator",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the orchestrator (its packaged jar, embedded broker on 127.0.0.1) and four edge",
      "agents with instant simulated backends (scenario bench-4), then measures: the orchestrator's",
      "overhead per request (the response time: the agents spend no time; split by the answers'",
      "Server-Timing into the embedding, the selection, the experts' round trip and the rest),",
      "sustained requests/s",
      "with concurrent clients, and the time from an agent's death to the plan without it; then,",
      "on a second orchestrator with the reference fleet in slow motion and 128-token answers",
      "(scenario bench-stream), streamed requests from one client: the time to the first text",
      "chunk against the time to the whole answer.",
      "The last line is a key=value summary."
    })
public final class OrchestratorBenchmark implements Callable<Integer> {

  private static final List<String> CATEGORIES = ReferenceWorkload.CATEGORIES;

  @Option(names = "--requests", defaultValue = "3000", description = "Timed requests (throughput).")
  int requests;

  @Option(
      names = "--latency-requests",
      defaultValue = "1000",
      description = "Requests from one client (overhead).")
  int latencyRequests;

  @Option(names = "--warmup", defaultValue = "300", description = "Untimed requests first.")
  int warmup;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients (throughput).")
  int clients;

  @Option(
      names = "--stream-requests",
      defaultValue = "60",
      description = "Streamed requests from one client (time to first token).")
  int streamRequests;

  @Option(
      names = "--only-stream",
      description = "Measure only the streaming phase (skips overhead, throughput and re-plan).")
  boolean onlyStream;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--jvm-arg",
      description =
          "A JVM option for the orchestrator under test (repeatable), e.g."
              + " -XX:StartFlightRecording=filename=orch.jfr to profile it.")
  List<String> jvmArgs = new ArrayList<>();

  @Option(
      names = "--uncached-prompts",
      defaultValue = "300",
      description =
          "Distinct RouterDC test prompts per category for the uncached phase (each embedded once"
              + " by the orchestrator, then by the encoder alone in this process).")
  int uncachedPerCategory;

  public static void main(String[] args) {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new OrchestratorBenchmark()).execute(args));
  }

  /** Short, distinct prompts (no embedding-cache hits), round robin over the categories. */
  private static List<PromptReplay.Prompt> prompts(int n, int offset) {
    List<PromptReplay.Prompt> out = new ArrayList<>(n);
    for (int i = offset; i < offset + n; i++) {
      String category = CATEGORIES.get(i % CATEGORIES.size());
      out.add(
          new PromptReplay.Prompt(
              category, "benchmark question number " + i + " about " + category, Map.of()));
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    double[] r =
        onlyStream ? new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0} : main();
    Uncached u =
        onlyStream
            ? Uncached.NONE
            : new Uncached(
                uncachedAndEncoder.prompts(),
                uncachedAndEncoder.uncachedRps(),
                encoderPps(uncachedTexts),
                uncachedAndEncoder.cachedRps(),
                uncachedAndEncoder.p50Ms(),
                uncachedAndEncoder.hits());
    double[] s = streaming();
    System.out.printf(Locale.ROOT, "%-40s %10s%n", "measure", "value");
    if (!onlyStream) {
      row("requests answered", r[4], 0);
      row("requests failed (explicit errors)", r[5], 0);
      row("overhead p50 (ms, one client)", r[0], 2);
      row("overhead p99 (ms, one client)", r[1], 2);
      row("  in the orchestrator p50 (ms)", split.server(), 2);
      row("    embedding the prompt p50 (ms)", split.embed(), 2);
      row("    category, gate, ranking p50 (ms)", split.select(), 2);
      row("    experts' round trip p50 (ms)", split.experts(), 2);
      row("  outside it (HTTP, client) p50 (ms)", split.outside(), 2);
      row("sustained requests/s (" + clients + " clients)", r[2], 1);
      row("agent death -> new plan (ms)", r[3], 1);
      row("distinct RouterDC prompts (uncached)", u.prompts(), 0);
      row("uncached requests/s (" + clients + " clients)", u.uncachedRps(), 1);
      row("encoder alone, prompts/s (all cores)", u.encoderPps(), 1);
      row("uncached / encoder alone", u.uncachedRps() / u.encoderPps(), 3);
      row("same prompts again, cached requests/s", u.cachedRps(), 1);
      row("uncached overhead p50 (ms, one client)", u.p50Ms(), 2);
      row("embedding-cache hits in the uncached pass", u.hits(), 0);
    }
    row("streamed requests answered", s[5], 0);
    row("time to first token p50 (ms, client)", s[0], 1);
    row("time to first token p99 (ms, client)", s[1], 1);
    row("whole streamed answer p50 (ms, client)", s[2], 1);
    row("text chunks per answer p50", s[3], 0);
    row("time to first token p50 (ms, server)", s[4], 1);
    System.out.printf(
        Locale.ROOT,
        "orchestrator overhead_p50_ms=%.2f overhead_p99_ms=%.2f rps=%.1f replan_ms=%.1f answered=%d"
            + " failed=%d ttft_p50_ms=%.1f ttft_p99_ms=%.1f stream_total_p50_ms=%.1f"
            + " stream_chunks_p50=%.0f server_ttft_p50_ms=%.1f streamed=%d uncached_rps=%.1f"
            + " encoder_batched_pps=%.1f uncached_ratio=%.3f cached_rps=%.1f"
            + " uncached_overhead_p50_ms=%.2f uncached_hits=%d server_p50_ms=%.2f"
            + " server_embed_p50_ms=%.2f server_select_p50_ms=%.2f server_experts_p50_ms=%.2f"
            + " outside_p50_ms=%.2f%n",
        r[0],
        r[1],
        r[2],
        r[3],
        (long) r[4],
        (long) r[5],
        s[0],
        s[1],
        s[2],
        s[3],
        s[4],
        (long) s[5],
        u.uncachedRps(),
        u.encoderPps(),
        u.uncachedRps() / u.encoderPps(),
        u.cachedRps(),
        u.p50Ms(),
        u.hits(),
        split.server(),
        split.embed(),
        split.select(),
        split.experts(),
        split.outside());
    return 0;
  }

  /**
   * The streaming phase: {@code --stream-requests} streamed math and code questions (128-token
   * answers) from one client against the bench-stream fleet.
   *
   * @return ttft p50, ttft p99, whole answer p50 (client, ms), text chunks p50, server ttft p50,
   *     answered
   */
  private double[] streaming() throws Exception {
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(
                Scenario.load("bench-stream"), orch.brokerUri(), null, orch.logins())) {
      new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER))
          .await(Duration.ofSeconds(60), w -> w.confirmed() == 4, "the plan to be confirmed");
      dev.moe2.simulator.replay.StreamProbe probe =
          new dev.moe2.simulator.replay.StreamProbe(orch.baseUrl(), orch.apiKey(ApiRole.CLIENT));
      System.err.printf(
          Locale.ROOT,
          "bench-orchestrator: streaming, %d streamed requests from one client ...%n",
          streamRequests);
      for (int i = 0; i < 5; i++) {
        probe.stream("math", "warm-up question " + i, 128);
      }
      DoubleHistogram ttft = new DoubleHistogram(3);
      DoubleHistogram total = new DoubleHistogram(3);
      DoubleHistogram chunks = new DoubleHistogram(3);
      DoubleHistogram server = new DoubleHistogram(3);
      int answered = 0;
      for (int i = 0; i < streamRequests; i++) {
        String category = i % 2 == 0 ? "math" : "code";
        dev.moe2.simulator.replay.StreamProbe.Timing t =
            probe.stream(category, "streamed question number " + i + " about " + category, 128);
        if (!t.answered()) {
          continue;
        }
        answered++;
        ttft.recordValue(Math.max(0.001, t.ttftMs()));
        total.recordValue(Math.max(0.001, t.totalMs()));
        chunks.recordValue(Math.max(1, t.chunks()));
        if (!Double.isNaN(t.serverTtftMs())) {
          server.recordValue(Math.max(0.001, t.serverTtftMs()));
        }
      }
      if (answered == 0) {
        throw new IllegalStateException("no streamed request was answered");
      }
      return new double[] {
        ttft.getValueAtPercentile(50),
        ttft.getValueAtPercentile(99),
        total.getValueAtPercentile(50),
        chunks.getValueAtPercentile(50),
        server.getTotalCount() == 0 ? Double.NaN : server.getValueAtPercentile(50),
        answered
      };
    }
  }

  /** One row of the table: a measure and its value with {@code decimals} decimals. */
  private static void row(String measure, double value, int decimals) {
    System.out.printf(Locale.ROOT, "%-40s %10." + decimals + "f%n", measure, value);
  }

  /** The uncached phase and the encoder alone on the same prompts. */
  private record Uncached(
      int prompts,
      double uncachedRps,
      double encoderPps,
      double cachedRps,
      double p50Ms,
      long hits) {
    static final Uncached NONE =
        new Uncached(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1);
  }

  private Uncached uncachedAndEncoder = Uncached.NONE;

  /**
   * Distinct RouterDC test prompts, none seen before by the orchestrator: from one client (the
   * overhead with real prompts), then from {@code --clients} clients (every prompt embedded: the
   * embedding cache's hit count must not move), then the same prompts again (all cached).
   */
  private Uncached uncached(OrchestratorProcess orch, FleetWatch watch) throws Exception {
    List<PromptReplay.Prompt> all =
        PromptReplay.load(shared.resolve(SharedData.ROUTERDC), uncachedPerCategory, 11);
    List<PromptReplay.Prompt> distinct = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (PromptReplay.Prompt p : all) {
      if (seen.add(p.text())) {
        distinct.add(p);
      }
    }
    int lowLoad = Math.min(200, distinct.size() / 4);
    List<PromptReplay.Prompt> one = distinct.subList(0, lowLoad);
    List<PromptReplay.Prompt> many = distinct.subList(lowLoad, distinct.size());
    System.err.printf(
        Locale.ROOT,
        "bench-orchestrator: uncached, %d distinct RouterDC prompts from one client, %d from %d"
            + " clients ...%n",
        one.size(),
        many.size(),
        clients);
    String key = orch.apiKey(ApiRole.CLIENT);
    DoubleHistogram h = new DoubleHistogram(3);
    PromptReplay.run(orch.baseUrl(), key, one, 1, 16, n -> {}).stream()
        .filter(PromptReplay.Outcome::answered)
        .forEach(o -> h.recordValue(Math.max(0.001, o.wallMs())));
    long hits0 = embeddingHits(watch);
    long t0 = System.nanoTime();
    List<PromptReplay.Outcome> out =
        PromptReplay.run(orch.baseUrl(), key, many, clients, 16, n -> {});
    double uncachedRps = many.size() / ((System.nanoTime() - t0) / 1e9);
    long hits = embeddingHits(watch) - hits0;
    long failed = out.stream().filter(o -> !o.answered()).count();
    System.err.printf(
        Locale.ROOT, "bench-orchestrator: cached, the same %d prompts again ...%n", many.size());
    t0 = System.nanoTime();
    PromptReplay.run(orch.baseUrl(), key, many, clients, 16, n -> {});
    double cachedRps = many.size() / ((System.nanoTime() - t0) / 1e9);
    if (failed > 0) {
      System.err.printf(
          Locale.ROOT, "bench-orchestrator: %d uncached requests were refused%n", failed);
    }
    uncachedTexts = many.stream().map(PromptReplay.Prompt::text).toList();
    return new Uncached(
        distinct.size(), uncachedRps, Double.NaN, cachedRps, h.getValueAtPercentile(50), hits);
  }

  private List<String> uncachedTexts = List.of();

  /**
   * The encoder alone on the uncached phase's prompts, configured as the orchestrator runs it (one
   * single-threaded run per core), with the orchestrator and the fleet stopped: the physical limit
   * of the uncached request path on this machine.
   */
  private double encoderPps(List<String> texts) {
    int cores = Runtime.getRuntime().availableProcessors();
    System.err.printf(
        Locale.ROOT,
        "bench-orchestrator: the encoder alone, %d prompts on %d cores ...%n",
        texts.size(),
        cores);
    // as the orchestrator under test embeds: its moe2.gate.encoder-max-tokens
    int maxTokens = MiniLmEncoder.SERVICE_MAX_TOKENS;
    for (String arg : jvmArgs) {
      if (arg.startsWith("-Dmoe2.gate.encoder-max-tokens=")) {
        maxTokens = Integer.parseInt(arg.substring(arg.indexOf('=') + 1).trim());
      }
    }
    try (MiniLmEncoder encoder = new MiniLmEncoder(1, cores, maxTokens)) {
      encoder.encodeBatch(texts.subList(0, Math.min(100, texts.size())));
      long t0 = System.nanoTime();
      encoder.encodeBatch(texts);
      return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /** The orchestrator's embedding-cache hits so far (Micrometer's Caffeine binder). */
  private static long embeddingHits(FleetWatch watch) {
    return (long) watch.metric("cache_gets_total{cache=\"moe2-embeddings\",result=\"hit\"");
  }

  /**
   * Where one client's overhead went, p50 of each part in ms, from the answers' {@code
   * Server-Timing}: the orchestrator's own time (arrival to answer) and of it the embedding, the
   * selection and the experts' round trip; outside it, the rest of the client's wall time (HTTP
   * both ways, the client).
   */
  private record Split(double server, double embed, double select, double experts, double outside) {
    static final Split NONE = new Split(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static Split of(List<PromptReplay.Outcome> outcomes) {
      return new Split(
          PromptReplay.p50Ms(outcomes, o -> o.serverTimingMs().get("total")),
          PromptReplay.p50Ms(outcomes, o -> o.serverTimingMs().get("embed")),
          PromptReplay.p50Ms(outcomes, o -> o.serverTimingMs().get("select")),
          PromptReplay.p50Ms(outcomes, o -> o.serverTimingMs().get("experts")),
          PromptReplay.p50Ms(
              outcomes,
              o -> {
                Double total = o.serverTimingMs().get("total");
                return total == null ? null : o.wallMs() - total;
              }));
    }
  }

  private Split split = Split.NONE;

  private double[] main() throws Exception {
    double[] r;
    List<String> extra = new ArrayList<>(List.of("-Dquarkus.log.level=WARN"));
    extra.addAll(jvmArgs);
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(jar, shared, 0, 0, extra, Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(Scenario.load("bench-4"), orch.brokerUri(), null, orch.logins())) {
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      watch.await(Duration.ofSeconds(60), w -> w.confirmed() == 4, "the plan to be confirmed");
      System.err.println("bench-orchestrator: fleet of 4 confirmed; warming up ...");
      PromptReplay.run(
          orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts(warmup, 0), clients, 16, n -> {});
      System.err.printf(
          Locale.ROOT,
          "bench-orchestrator: overhead, %d requests from one client ...%n",
          latencyRequests);
      List<PromptReplay.Outcome> single =
          PromptReplay.run(
              orch.baseUrl(),
              orch.apiKey(ApiRole.CLIENT),
              prompts(latencyRequests, warmup),
              1,
              16,
              n -> {});
      DoubleHistogram h = new DoubleHistogram(3);
      single.stream()
          .filter(PromptReplay.Outcome::answered)
          .forEach(o -> h.recordValue(Math.max(0.001, o.wallMs())));
      split = Split.of(single);
      System.err.printf(
          Locale.ROOT,
          "bench-orchestrator: throughput, %d requests from %d clients ...%n",
          requests,
          clients);
      long t0 = System.nanoTime();
      List<PromptReplay.Outcome> many =
          PromptReplay.run(
              orch.baseUrl(),
              orch.apiKey(ApiRole.CLIENT),
              prompts(requests, warmup + latencyRequests),
              clients,
              16,
              n -> {});
      double seconds = (System.nanoTime() - t0) / 1e9;
      Uncached u = uncached(orch, watch);
      uncachedAndEncoder = u;
      long k0 = System.nanoTime();
      fleet.kill("rtx4090-1");
      watch.await(
          Duration.ofSeconds(30),
          w -> w.latestPlan().path("reason").asText().contains("rtx4090-1 offline"),
          "the re-plan");
      double replanMs = (System.nanoTime() - k0) / 1e6;
      List<PromptReplay.Outcome> all = new ArrayList<>(single);
      all.addAll(many);
      long answered = all.stream().filter(PromptReplay.Outcome::answered).count();
      r =
          new double[] {
            h.getValueAtPercentile(50),
            h.getValueAtPercentile(99),
            many.size() / seconds,
            replanMs,
            answered,
            all.size() - answered
          };
    }
    return r;
  }
}
