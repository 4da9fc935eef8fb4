package dev.moe2.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.simulator.cli.Progress;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.DoubleHistogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/bench-system}: the load scenario and the fault scenarios with their figures. */
@Command(
    name = "bench-system",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole system on loopback (the orchestrator's jar with its embedded broker, simulated",
      "agents): a load of real prompts from 8 agents' worth of experts (instant backends), an agent",
      "killed under load, malformed and oversized MQTT traffic, and thermal throttling on one device",
      "(drift, re-plan, budgets). The last line is a key=value summary."
    })
public final class SystemBenchmark implements Callable<Integer> {

  @Option(names = "--requests", defaultValue = "10000", description = "Requests of the load phase.")
  int requests;

  @Option(names = "--clients", defaultValue = "16", description = "Concurrent API clients.")
  int clients;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  public static void main(String[] args) {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new SystemBenchmark()).execute(args));
  }

  record Phase(
      String name, int sent, long answered, long errors, double rps, double p50, double p99) {
    long lost() {
      return sent - answered - errors;
    }
  }

  @Override
  public Integer call() throws Exception {
    Path routerDc = shared.resolve(SharedData.ROUTERDC);
    List<Phase> phases = new ArrayList<>();
    double detectMs;
    double driftMs;
    long violations;
    long malformedCounted;
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(Scenario.load("load-8"), orch.brokerUri(), routerDc)) {
      FleetWatch watch = new FleetWatch(orch.baseUrl());
      watch.await(Duration.ofSeconds(60), w -> w.confirmed() == 8, "8 agents to apply the plan");
      List<PromptReplay.Prompt> pool = PromptReplay.load(routerDc, 400, 3);
      System.err.println("bench-system: warm-up ...");
      PromptReplay.run(orch.baseUrl(), pool.subList(0, 400), clients, 16, n -> {});

      System.err.printf(
          Locale.ROOT, "bench-system: load, %d requests from %d clients ...%n", requests, clients);
      phases.add(phase("load (8 agents)", orch, cycle(pool, requests), null, null));

      System.err.println("bench-system: an agent killed under load ...");
      long[] killedAt = new long[1];
      Phase kill =
          phase(
              "agent killed under load",
              orch,
              cycle(pool, 2000),
              500,
              () -> {
                killedAt[0] = System.nanoTime();
                fleet.kill("rtx4090-1");
              });
      watch.await(
          Duration.ofSeconds(30),
          w -> w.latestPlan().path("reason").asText().contains("rtx4090-1 offline"),
          "the re-plan without the dead agent");
      detectMs = (System.nanoTime() - killedAt[0]) / 1e6;
      phases.add(kill);

      System.err.println("bench-system: malformed, oversized and unknown-topic messages ...");
      fleet.malformed(100);
      Phase afterBad = phase("after 100 malformed messages", orch, cycle(pool, 1000), null, null);
      phases.add(afterBad);
      malformedCounted = (long) watch.metric("moe2_mqtt_malformed_messages");

      String busiest = busiestAgent(watch);
      System.err.println("bench-system: throttling " + busiest + " (the busiest device) x3 ...");
      long t0 = System.nanoTime();
      fleet.throttle(busiest, 3.0);
      Phase hot = phase("throttled device (drift)", orch, cycle(pool, 2000), null, null);
      phases.add(hot);
      watch.await(
          Duration.ofSeconds(60),
          w -> w.latestPlan().path("reason").asText().contains("drift on " + busiest),
          "the drift re-plan");
      driftMs = (System.nanoTime() - t0) / 1e6;
      System.err.println("bench-system: after the drift re-plan ...");
      List<PromptReplay.Outcome> post =
          PromptReplay.run(orch.baseUrl(), cycle(pool, 1000), clients, 16, n -> {});
      violations = post.stream().filter(PromptReplay.Outcome::violated).count();
      phases.add(summarise("after the drift re-plan", post, 0));
      if (!orch.alive()) {
        throw new IllegalStateException("the orchestrator died; its log: " + orch.log());
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-32s %7s %8s %7s %5s %8s %8s %8s%n",
        "phase",
        "sent",
        "answered",
        "errors",
        "lost",
        "req/s",
        "p50 ms",
        "p99 ms");
    for (Phase p : phases) {
      System.out.printf(
          Locale.ROOT,
          "%-32s %7d %8d %7d %5d %8.1f %8.1f %8.1f%n",
          p.name(),
          p.sent(),
          p.answered(),
          p.errors(),
          p.lost(),
          p.rps(),
          p.p50(),
          p.p99());
    }
    System.out.printf(
        Locale.ROOT,
        "agent death -> plan without it: %.0f ms; throttling -> drift re-plan: %.0f ms; malformed messages counted by the orchestrator: %d; budget violations after the re-plan: %d of 1000%n",
        detectMs,
        driftMs,
        malformedCounted,
        violations);
    Phase load = phases.get(0);
    long lost = phases.stream().mapToLong(Phase::lost).sum();
    System.out.printf(
        Locale.ROOT,
        "system requests=%d lost=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f detect_ms=%.0f drift_replan_ms=%.0f budget_violations=%d%n",
        load.sent(),
        lost,
        load.rps(),
        load.p50(),
        load.p99(),
        detectMs,
        driftMs,
        violations);
    return 0;
  }

  /** The agent that answered the most of the recent decisions. */
  private static String busiestAgent(FleetWatch watch) {
    java.util.Map<String, Integer> count = new java.util.HashMap<>();
    for (JsonNode d : watch.get("/api/decisions")) {
      String by = d.path("answeredBy").asText("");
      if (by.contains("@")) {
        count.merge(by.substring(by.indexOf('@') + 1), 1, Integer::sum);
      }
    }
    return count.entrySet().stream()
        .max(java.util.Map.Entry.comparingByValue())
        .orElseThrow()
        .getKey();
  }

  private static List<PromptReplay.Prompt> cycle(List<PromptReplay.Prompt> pool, int n) {
    List<PromptReplay.Prompt> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(pool.get(i % pool.size()));
    }
    return out;
  }

  private Phase phase(
      String name,
      OrchestratorProcess orch,
      List<PromptReplay.Prompt> ps,
      Integer faultAfter,
      Runnable fault)
      throws Exception {
    long t0 = System.nanoTime();
    Progress bar = new Progress(name, ps.size());
    boolean[] fired = {false};
    List<PromptReplay.Outcome> out =
        PromptReplay.run(
            orch.baseUrl(),
            ps,
            clients,
            16,
            n -> {
              bar.update(n);
              if (fault != null && !fired[0] && n >= faultAfter) {
                synchronized (fired) {
                  if (!fired[0]) {
                    fired[0] = true;
                    fault.run();
                  }
                }
              }
            });
    double seconds = (System.nanoTime() - t0) / 1e9;
    return summarise(name, out, seconds);
  }

  private static Phase summarise(String name, List<PromptReplay.Outcome> out, double seconds) {
    DoubleHistogram h = new DoubleHistogram(3);
    out.forEach(o -> h.recordValue(Math.max(0.001, o.wallMs())));
    long answered = out.stream().filter(PromptReplay.Outcome::answered).count();
    long errors = out.stream().filter(o -> !o.answered() && o.status() > 0).count();
    return new Phase(
        name,
        out.size(),
        answered,
        errors,
        seconds > 0 ? out.size() / seconds : Double.NaN,
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99));
  }
}
