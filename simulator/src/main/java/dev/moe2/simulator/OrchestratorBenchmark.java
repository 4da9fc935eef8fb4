package dev.moe2.simulator;

import dev.moe2.profiles.workload.ReferenceWorkload;
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
      "overhead per request (the response time: the agents spend no time), sustained requests/s",
      "with concurrent clients, and the time from an agent's death to the plan without it.",
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
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

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
    double[] r;
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
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
    System.out.printf(Locale.ROOT, "%-36s %10s%n", "measure", "value");
    System.out.printf(Locale.ROOT, "%-36s %10.0f%n", "requests answered", r[4]);
    System.out.printf(Locale.ROOT, "%-36s %10.0f%n", "requests failed (explicit errors)", r[5]);
    System.out.printf(Locale.ROOT, "%-36s %10.2f%n", "overhead p50 (ms, one client)", r[0]);
    System.out.printf(Locale.ROOT, "%-36s %10.2f%n", "overhead p99 (ms, one client)", r[1]);
    System.out.printf(
        Locale.ROOT, "%-36s %10.1f%n", "sustained requests/s (" + clients + " clients)", r[2]);
    System.out.printf(Locale.ROOT, "%-36s %10.1f%n", "agent death -> new plan (ms)", r[3]);
    System.out.printf(
        Locale.ROOT,
        "orchestrator overhead_p50_ms=%.2f overhead_p99_ms=%.2f rps=%.1f replan_ms=%.1f answered=%d failed=%d%n",
        r[0],
        r[1],
        r[2],
        r[3],
        (long) r[4],
        (long) r[5]);
    return 0;
  }
}
