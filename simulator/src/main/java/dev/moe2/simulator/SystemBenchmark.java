package dev.moe2.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.security.ApiRole;
import dev.moe2.simulator.cli.Progress;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.LengthMix;
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
      "(drift, re-plan, budgets); then on the reference fleet with real (scaled) time: a burst of",
      "200 concurrent clients, and the long-prompts scenario (prompts 2-8x longer than planned,",
      "max_tokens up to 4x) with per-request budgets and again with planned lengths only;",
      "then N orchestrator replicas on one PostgreSQL and one Mosquitto behind HAProxy: one client",
      "straight to one replica (the latency through Mosquitto), throughput through 1 replica and",
      "through all, and the planning replica stopped under load (failover).",
      "The last line is a key=value summary."
    })
public final class SystemBenchmark implements Callable<Integer> {

  @Option(names = "--requests", defaultValue = "10000", description = "Requests of the load phase.")
  int requests;

  @Option(names = "--clients", defaultValue = "16", description = "Concurrent API clients.")
  int clients;

  @Option(
      names = "--skip-load",
      description =
          "Skip the load-8 part (load, agent killed, malformed traffic, throttling): run only the"
              + " burst and the long-prompts runs on the reference fleet.")
  boolean skipLoad;

  @Option(
      names = "--burst-clients",
      defaultValue = "200",
      description = "Concurrent clients of the burst on the reference fleet.")
  int burstClients;

  @Option(
      names = "--burst-requests",
      defaultValue = "1000",
      description = "Requests of the burst on the reference fleet.")
  int burstRequests;

  @Option(
      names = "--long-requests",
      defaultValue = "600",
      description = "Requests of each long-prompts run.")
  int longRequests;

  @Option(
      names = "--long-scenario",
      defaultValue = "simulator/scenarios/long-prompts.yaml",
      description = "The long-prompts scenario (fleet and workload).")
  String longScenario;

  @Option(
      names = "--replicas",
      defaultValue = "3",
      description = "Orchestrator replicas of the replica scenario; 0 skips it.")
  int replicaCount;

  @Option(
      names = "--replica-requests",
      defaultValue = "2000",
      description = "Requests of each replica phase (1 replica, all replicas, failover).")
  int replicaRequests;

  @Option(
      names = "--only-replicas",
      description = "Run only the replica scenario (the summary's other figures are then NaN).")
  boolean onlyReplicas;

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

  /**
   * One phase's figures ({@code violationSamples}: a few violations and unanswered requests, to
   * read).
   *
   * @param noAnswer dispatched but unanswered in time (503 no-answer)
   * @param refused refused at once, naming the binding budget (422 over-budget) or the wait (503
   *     fleet-busy)
   * @param violations answers over their energy budget or delay budget plus grace
   */
  record Phase(
      String name,
      int sent,
      long answered,
      long errors,
      long noAnswer,
      long refused,
      long violations,
      double rps,
      double p50,
      double p99,
      java.util.Map<String, Long> errorCodes,
      List<String> violationSamples) {
    long lost() {
      return sent - answered - errors;
    }

    double servedPct() {
      return sent == 0 ? 0 : 100.0 * answered / sent;
    }
  }

  /** The replica scenario's figures. */
  record Replicas(
      int replicas,
      long failoverMs,
      Phase one,
      Phase all,
      Phase failover,
      long sent,
      long ledgerRequests,
      double answeredJoules,
      double ledgerJoules,
      Phase crash,
      long crashFailoverMs,
      long crashLedgerLost,
      OneClient oneClient) {
    long ledgerLost() {
      return sent - ledgerRequests;
    }

    boolean joulesMatch() {
      return Math.abs(ledgerJoules - answeredJoules) <= 1e-6 * Math.max(1, answeredJoules);
    }
  }

  private Replicas replicaScenario(Path routerDc) throws Exception {
    Scenario scenario = Scenario.load("load-8");
    List<String> agents = scenario.devices().stream().map(d -> d.id()).toList();
    System.err.printf(
        Locale.ROOT,
        "bench-system: %d replicas on PostgreSQL + Mosquitto behind HAProxy ...%n",
        replicaCount);
    try (ReplicaSite site =
            ReplicaSite.start(
                jar,
                shared,
                replicaCount,
                agents,
                List.of("-Dquarkus.log.level=WARN", "-Dmoe2.planning.lease-ttl=3s"));
        SimulatedFleet fleet =
            SimulatedFleet.start(scenario, site.brokerUri(), routerDc, site.logins())) {
      String viewer = site.apiKey(ApiRole.VIEWER);
      String client = site.apiKey(ApiRole.CLIENT);
      for (OrchestratorProcess o : site.replicas()) {
        new FleetWatch(o.baseUrl(), viewer)
            .await(Duration.ofSeconds(90), w -> w.confirmed() == 8, "every replica sees 8 agents");
      }
      List<PromptReplay.Prompt> pool = PromptReplay.load(routerDc, 400, 3);
      List<PromptReplay.Outcome> all = new ArrayList<>();
      all.addAll(PromptReplay.run(site.baseUrl(), client, pool, clients, 16, n -> {}));
      // one client straight to one replica: a request's latency through Mosquitto at no load
      List<PromptReplay.Outcome> single =
          PromptReplay.run(
              site.replicas().get(0).baseUrl(),
              client,
              pool.subList(0, Math.min(200, pool.size())),
              1,
              16,
              n -> {});
      all.addAll(single);
      OneClient oneClient = OneClient.of(single);
      System.err.printf(
          Locale.ROOT,
          "bench-system: one client, 1 replica: p50 %.1f ms, of it the experts' round trip %.1f ms%n",
          oneClient.p50Ms(),
          oneClient.expertsP50Ms());
      Phase one = replay("1 replica (direct)", site.replicas().get(0).baseUrl(), client, pool, all);
      Phase through =
          replay(replicaCount + " replicas (HAProxy)", site.baseUrl(), client, pool, all);
      long[] failoverMs = {0};
      List<PromptReplay.Outcome> out =
          plannerDown("planner stopped under load", site, client, pool, site::kill, failoverMs);
      Phase failover = summarise("planner stopped under load", out, Double.NaN);
      all.addAll(out);
      int next = site.plannerIndex().orElseThrow();
      FleetWatch watch = new FleetWatch(site.replicas().get(next - 1).baseUrl(), viewer);
      double answeredJ =
          all.stream().filter(PromptReplay.Outcome::answered).mapToDouble(o -> o.energyJ()).sum();
      long sent = all.size();
      JsonNode[] usage = new JsonNode[1];
      try {
        watch.await(
            Duration.ofSeconds(15),
            w -> {
              usage[0] = w.get("/api/usage");
              return usage[0].path("requests").asLong() >= sent;
            },
            "the ledger to record every request");
      } catch (IllegalStateException e) {
        System.err.println("bench-system: " + e.getMessage());
      }
      Phase crash = null;
      long[] crashMs = {-1};
      long crashLedgerLost = -1;
      if (replicaCount >= 3) {
        // a crash (SIGKILL) of the new planner: its lease lapses after the time to live; what its
        // ledger had not written yet (up to half a second of decisions) is lost with it
        List<PromptReplay.Outcome> crashed =
            plannerDown(
                "planner killed (SIGKILL) under load", site, client, pool, site::crash, crashMs);
        crash = summarise("planner killed (SIGKILL) under load", crashed, Double.NaN);
        long total = sent + crashed.size();
        int now = site.plannerIndex().orElseThrow();
        FleetWatch w = new FleetWatch(site.replicas().get(now - 1).baseUrl(), viewer);
        try {
          w.await(
              Duration.ofSeconds(10),
              x -> x.get("/api/usage").path("requests").asLong() >= total,
              "the ledger after the crash");
        } catch (IllegalStateException e) {
          System.err.println("bench-system: " + e.getMessage());
        }
        crashLedgerLost = total - w.get("/api/usage").path("requests").asLong();
      }
      return new Replicas(
          replicaCount,
          failoverMs[0],
          one,
          through,
          failover,
          sent,
          usage[0].path("requests").asLong(),
          answeredJ,
          usage[0].path("joules").asDouble(),
          crash,
          crashMs[0],
          crashLedgerLost,
          oneClient);
    }
  }

  /**
   * One client's answered requests: p50 of the wall time and of the experts' round trip (the
   * answers' {@code Server-Timing}), in ms.
   */
  record OneClient(double p50Ms, double expertsP50Ms) {
    static OneClient of(List<PromptReplay.Outcome> outcomes) {
      return new OneClient(
          PromptReplay.p50Ms(outcomes, PromptReplay.Outcome::wallMs),
          PromptReplay.p50Ms(outcomes, o -> o.serverTimingMs().get("experts")));
    }
  }

  /**
   * A load through the balancer during which the planner goes down ({@code down}: stop or crash)
   * after a quarter of it; {@code failoverMs[0]}: from then until another replica plans.
   */
  private List<PromptReplay.Outcome> plannerDown(
      String name,
      ReplicaSite site,
      String client,
      List<PromptReplay.Prompt> pool,
      java.util.function.IntConsumer down,
      long[] failoverMs)
      throws InterruptedException {
    System.err.println("bench-system: " + name + " ...");
    int planner = site.plannerIndex().orElseThrow();
    boolean[] fired = {false};
    Thread[] timer = new Thread[1];
    Progress bar = new Progress(name, replicaRequests);
    List<PromptReplay.Outcome> out =
        PromptReplay.run(
            site.baseUrl(),
            client,
            cycle(pool, replicaRequests),
            clients,
            16,
            n -> {
              bar.update(n);
              synchronized (fired) {
                if (!fired[0] && n >= replicaRequests / 4) {
                  fired[0] = true;
                  timer[0] =
                      new Thread(
                          () -> {
                            try {
                              failoverMs[0] =
                                  site.downAndTimeTakeover(planner, down, Duration.ofSeconds(60));
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          },
                          "planner-down");
                  timer[0].start();
                }
              }
            });
    if (timer[0] != null) {
      timer[0].join();
    }
    return out;
  }

  private Phase replay(
      String name,
      String base,
      String key,
      List<PromptReplay.Prompt> pool,
      List<PromptReplay.Outcome> all)
      throws InterruptedException {
    System.err.println("bench-system: " + name + " ...");
    Progress bar = new Progress(name, replicaRequests);
    long t0 = System.nanoTime();
    List<PromptReplay.Outcome> out =
        PromptReplay.run(base, key, cycle(pool, replicaRequests), clients, 16, bar::update);
    all.addAll(out);
    return summarise(name, out, (System.nanoTime() - t0) / 1e9);
  }

  @Override
  public Integer call() throws Exception {
    Path routerDc = shared.resolve(SharedData.ROUTERDC);
    if (onlyReplicas) {
      Replicas r = replicaScenario(routerDc);
      List<Phase> ps = new ArrayList<>(List.of(r.one(), r.all(), r.failover()));
      if (r.crash() != null) {
        ps.add(r.crash());
      }
      table(ps);
      details(ps);
      System.out.println(
          "system lost=" + ps.stream().mapToLong(Phase::lost).sum() + " " + replicaSummary(r));
      return 0;
    }
    List<Phase> phases = new ArrayList<>();
    double detectMs = Double.NaN;
    double driftMs = Double.NaN;
    long violations = 0;
    long malformedCounted = 0;
    if (!skipLoad) {
      try (OrchestratorProcess orch =
              OrchestratorProcess.start(
                  jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
          SimulatedFleet fleet =
              SimulatedFleet.start(
                  Scenario.load("load-8"), orch.brokerUri(), routerDc, orch.logins())) {
        FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
        watch.await(Duration.ofSeconds(60), w -> w.confirmed() == 8, "8 agents to apply the plan");
        List<PromptReplay.Prompt> pool = PromptReplay.load(routerDc, 400, 3);
        System.err.println("bench-system: warm-up ...");
        PromptReplay.run(
            orch.baseUrl(),
            orch.apiKey(ApiRole.CLIENT),
            pool.subList(0, 400),
            clients,
            16,
            n -> {});

        System.err.printf(
            Locale.ROOT,
            "bench-system: load, %d requests from %d clients ...%n",
            requests,
            clients);
        phases.add(phase("load (8 agents)", orch, cycle(pool, requests), null, null, clients, 16));

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
                },
                clients,
                16);
        watch.await(
            Duration.ofSeconds(30),
            w -> w.latestPlan().path("reason").asText().contains("rtx4090-1 offline"),
            "the re-plan without the dead agent");
        detectMs = (System.nanoTime() - killedAt[0]) / 1e6;
        phases.add(kill);

        System.err.println("bench-system: malformed, oversized and unknown-topic messages ...");
        fleet.malformed(100);
        Phase afterBad =
            phase("after 100 malformed messages", orch, cycle(pool, 1000), null, null, clients, 16);
        phases.add(afterBad);
        malformedCounted = (long) watch.metric("moe2_mqtt_malformed_messages");

        String busiest = busiestAgent(watch);
        System.err.println("bench-system: throttling " + busiest + " (the busiest device) x3 ...");
        long t0 = System.nanoTime();
        fleet.throttle(busiest, 3.0);
        Phase hot =
            phase("throttled device (drift)", orch, cycle(pool, 2000), null, null, clients, 16);
        phases.add(hot);
        watch.await(
            Duration.ofSeconds(60),
            w -> w.latestPlan().path("reason").asText().contains("drift on " + busiest),
            "the drift re-plan");
        driftMs = (System.nanoTime() - t0) / 1e6;
        System.err.println("bench-system: after the drift re-plan ...");
        List<PromptReplay.Outcome> post =
            PromptReplay.run(
                orch.baseUrl(),
                orch.apiKey(ApiRole.CLIENT),
                cycle(pool, 1000),
                clients,
                16,
                n -> {});
        violations = post.stream().filter(PromptReplay.Outcome::violated).count();
        phases.add(summarise("after the drift re-plan", post, 0));
        if (!orch.alive()) {
          throw new IllegalStateException("the orchestrator died; its log: " + orch.log());
        }
      }
    }
    Scenario longs = Scenario.load(longScenario);
    if (longs.workload() == null) {
      throw new IllegalArgumentException(
          "scenario " + longScenario + " has no workload section: it cannot shape requests");
    }
    List<PromptReplay.Prompt> plain = PromptReplay.load(routerDc, 400, longs.seed());
    List<PromptReplay.Prompt> shaped =
        LengthMix.shape(
            cycle(plain, longRequests), longs.workload(), LengthMix.plannedLengths(), longs.seed());
    Phase perRequest;
    Phase plannedOnly;
    Phase burst;
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(longs, orch.brokerUri(), routerDc, orch.logins())) {
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      int n = longs.devices().size();
      watch.await(Duration.ofSeconds(60), w -> w.confirmed() == n, n + " agents to apply the plan");
      System.err.printf(
          Locale.ROOT,
          "bench-system: burst, %d requests from %d clients on the %s fleet ...%n",
          burstRequests,
          burstClients,
          longs.name());
      burst =
          phase(
              "burst (" + burstClients + " clients)",
              orch,
              cycle(plain, burstRequests),
              null,
              null,
              burstClients,
              0);
      System.err.println("bench-system: long prompts, per-request budgets ...");
      perRequest = phase("long prompts (per request)", orch, shaped, null, null, clients, 0);
    }
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar,
                shared,
                0,
                0,
                List.of("-Dquarkus.log.level=WARN", "-Dmoe2.requests.length-aware=false"),
                Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(longs, orch.brokerUri(), routerDc, orch.logins())) {
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      int n = longs.devices().size();
      watch.await(Duration.ofSeconds(60), w -> w.confirmed() == n, n + " agents to apply the plan");
      System.err.println(
          "bench-system: long prompts, planned lengths only (earlier behaviour) ...");
      plannedOnly = phase("long prompts (planned lengths)", orch, shaped, null, null, clients, 0);
    }
    phases.add(burst);
    phases.add(perRequest);
    phases.add(plannedOnly);
    Replicas rep = replicaCount > 0 ? replicaScenario(routerDc) : null;
    if (rep != null) {
      phases.add(rep.one());
      phases.add(rep.all());
      phases.add(rep.failover());
      if (rep.crash() != null) {
        phases.add(rep.crash());
      }
    }
    table(phases);
    details(phases);
    System.out.printf(
        Locale.ROOT,
        "agent death -> plan without it: %.0f ms; throttling -> drift re-plan: %.0f ms; malformed"
            + " messages counted by the orchestrator: %d; budget violations after the re-plan: %d"
            + " of 1000%n",
        detectMs,
        driftMs,
        malformedCounted,
        violations);
    System.out.printf(
        Locale.ROOT,
        "long prompts: served %.1f %% with per-request budgets (%d refused at once naming the"
            + " binding budget, %d violations) vs %.1f %% with planned lengths only (%d"
            + " violations)%n",
        perRequest.servedPct(),
        perRequest.refused(),
        perRequest.violations(),
        plannedOnly.servedPct(),
        plannedOnly.violations());
    Phase load = skipLoad ? burst : phases.get(0);
    long lost = phases.stream().filter(p -> p != plannedOnly).mapToLong(Phase::lost).sum();
    long allViolations =
        phases.stream().filter(p -> p != plannedOnly).mapToLong(Phase::violations).sum();
    String summary =
        String.format(
            Locale.ROOT,
            "system requests=%d lost=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f detect_ms=%.0f"
                + " drift_replan_ms=%.0f budget_violations=%d no_answer=%d served_pct=%.1f"
                + " served_pct_planned_lengths=%.1f violations_planned_lengths=%d",
            load.sent(),
            lost,
            load.rps(),
            load.p50(),
            load.p99(),
            detectMs,
            driftMs,
            allViolations,
            burst.noAnswer() + perRequest.noAnswer(),
            perRequest.servedPct(),
            plannedOnly.servedPct(),
            plannedOnly.violations());
    System.out.println(rep == null ? summary : summary + " " + replicaSummary(rep));
    return 0;
  }

  private static void details(List<Phase> phases) {
    for (Phase p : phases) {
      if (!p.errorCodes().isEmpty()) {
        System.out.printf(Locale.ROOT, "errors of %s: %s%n", p.name(), p.errorCodes());
      }
      for (String v : p.violationSamples()) {
        System.out.printf(Locale.ROOT, "%s: %s%n", p.name(), v);
      }
    }
  }

  private static void table(List<Phase> phases) {
    System.out.printf(
        Locale.ROOT,
        "%-34s %7s %8s %7s %5s %9s %8s %5s %7s %8s %8s %8s%n",
        "phase",
        "sent",
        "answered",
        "errors",
        "lost",
        "no-answer",
        "refused",
        "viol",
        "served%",
        "req/s",
        "p50 ms",
        "p99 ms");
    for (Phase p : phases) {
      System.out.printf(
          Locale.ROOT,
          "%-34s %7d %8d %7d %5d %9d %8d %5d %7.1f %8.1f %8.1f %8.1f%n",
          p.name(),
          p.sent(),
          p.answered(),
          p.errors(),
          p.lost(),
          p.noAnswer(),
          p.refused(),
          p.violations(),
          p.servedPct(),
          p.rps(),
          p.p50(),
          p.p99());
    }
  }

  private static String replicaSummary(Replicas r) {
    return String.format(
        Locale.ROOT,
        "replicas=%d planner_failover_ms=%d replica_lost=%d rps_1=%.1f rps_%d=%.1f ledger_lost=%d"
            + " ledger_joules=%.3f answered_joules=%.3f ledger_joules_match=%s"
            + " planner_crash_failover_ms=%d crash_lost=%d crash_ledger_lost=%d"
            + " replica_one_client_p50_ms=%.1f replica_experts_p50_ms=%.1f",
        r.replicas(),
        r.failoverMs(),
        r.one().lost() + r.all().lost() + r.failover().lost(),
        r.one().rps(),
        r.replicas(),
        r.all().rps(),
        r.ledgerLost(),
        r.ledgerJoules(),
        r.answeredJoules(),
        r.joulesMatch(),
        r.crashFailoverMs(),
        r.crash() == null ? -1 : r.crash().lost(),
        r.crashLedgerLost(),
        r.oneClient().p50Ms(),
        r.oneClient().expertsP50Ms());
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
      Runnable fault,
      int clientCount,
      int maxTokens)
      throws Exception {
    long t0 = System.nanoTime();
    Progress bar = new Progress(name, ps.size());
    boolean[] fired = {false};
    List<PromptReplay.Outcome> out =
        PromptReplay.run(
            orch.baseUrl(),
            orch.apiKey(ApiRole.CLIENT),
            ps,
            clientCount,
            maxTokens,
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
    Phase p = figures(name, out, seconds);
    out.stream()
        .filter(PromptReplay.Outcome::noAnswer)
        .limit(3)
        .forEach(o -> p.violationSamples().add("no answer: " + o.message()));
    return p;
  }

  private static Phase figures(String name, List<PromptReplay.Outcome> out, double seconds) {
    DoubleHistogram h = new DoubleHistogram(3);
    out.forEach(o -> h.recordValue(Math.max(0.001, o.wallMs())));
    long answered = out.stream().filter(PromptReplay.Outcome::answered).count();
    long errors = out.stream().filter(o -> !o.answered() && o.status() > 0).count();
    return new Phase(
        name,
        out.size(),
        answered,
        errors,
        out.stream().filter(PromptReplay.Outcome::noAnswer).count(),
        out.stream().filter(PromptReplay.Outcome::refusedAtOnce).count(),
        out.stream().filter(PromptReplay.Outcome::violated).count(),
        seconds > 0 ? out.size() / seconds : Double.NaN,
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        out.stream()
            .filter(o -> !o.answered())
            .collect(
                java.util.stream.Collectors.groupingBy(
                    o -> o.status() + " " + o.errorCode(),
                    java.util.TreeMap::new,
                    java.util.stream.Collectors.counting())),
        out.stream()
            .filter(PromptReplay.Outcome::violated)
            .limit(5)
            .map(
                o ->
                    "violation: "
                        + String.format(
                            Locale.ROOT,
                            "%s by %s: %.2f J of %.1f J, %.3f s (end-to-end %.3f s) of %.2f s",
                            o.prompt().category(),
                            o.answeredBy(),
                            o.energyJ(),
                            o.energyBudgetJ(),
                            o.delay(),
                            o.endToEndS(),
                            o.delayBudgetS()))
            .collect(java.util.stream.Collectors.toCollection(ArrayList::new)));
  }
}
