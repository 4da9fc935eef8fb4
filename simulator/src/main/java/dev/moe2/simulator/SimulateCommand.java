package dev.moe2.simulator;

import dev.moe2.profiles.workload.SharedData;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import dev.moe2.security.SecretFiles;
import dev.moe2.simulator.cli.Progress;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.LengthMix;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.replay.ReplayReport;
import dev.moe2.simulator.scenario.Scenario;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/simulate}: a scenario's virtual agents against a running broker/orchestrator. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the virtual agents of a scenario (the real edge-agent code with simulated backends)",
      "against an MQTT broker, runs its timed faults, and optionally replays real prompts through an",
      "orchestrator's API and prints the per-category summary. Runs until Ctrl-C unless --prompts."
    })
public final class SimulateCommand implements Callable<Integer> {

  @Option(
      names = "--scenario",
      defaultValue = "reference",
      description = "Scenario file or built-in name (reference, faults, load-8).")
  String scenario;

  @Option(
      names = "--broker",
      defaultValue = "tcp://127.0.0.1:1883",
      description = "MQTT broker URI.")
  String broker;

  @Option(
      names = "--orchestrator",
      defaultValue = "http://127.0.0.1:8080",
      description = "The orchestrator's base URL (for --prompts).")
  String orchestrator;

  @Option(
      names = "--prompts",
      defaultValue = "0",
      description = "Replay this many prompts, print the summary and exit (0: run until Ctrl-C).")
  int prompts;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent API clients.")
  int clients;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--site",
      description =
          "Start the site too: with the scenario's replicas (e.g. 'replicas: 3') N packaged"
              + " orchestrators on a throwaway PostgreSQL and Mosquitto behind HAProxy (loopback);"
              + " --broker, --orchestrator and --state-dir are then the site's own.")
  boolean site;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar (for --site).")
  Path jar;

  @Option(
      names = "--state-dir",
      description =
          "The site's state folder (the orchestrator's moe2.security.state-dir): each simulated"
              + " agent logs in with its own identity, issued there on first use, and --prompts"
              + " use a client API key kept there. Without it, agents connect anonymously (a broker"
              + " with moe2.security.enabled=false).")
  Path stateDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimulateCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Scenario sc;
    try {
      sc = Scenario.load(scenario);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    Path routerDc = shared.resolve(SharedData.ROUTERDC);
    if (site) {
      return onSite(sc, routerDc);
    }
    SimulatedFleet.Logins logins =
        stateDir == null ? SimulatedFleet.ANONYMOUS : OrchestratorProcess.logins(stateDir);
    String apiKey =
        stateDir == null
            ? null
            : SecretFiles.ensureKey(
                ApiKeys.in(stateDir),
                stateDir,
                ApiRole.CLIENT,
                "simulate",
                new SecureRandom(),
                Instant.now());
    return run(sc, routerDc, broker, orchestrator, logins, apiKey);
  }

  /** Starts the scenario's site (its replicas behind HAProxy), then runs the scenario on it. */
  private int onSite(Scenario sc, Path routerDc) throws Exception {
    System.err.printf(
        "simulate: starting %d orchestrator replica(s) on PostgreSQL + Mosquitto behind HAProxy"
            + " ...%n",
        sc.replicas());
    try (ReplicaSite s =
        ReplicaSite.start(
            jar,
            shared,
            sc.replicas(),
            sc.devices().stream().map(d -> d.id()).toList(),
            List.of("-Dquarkus.log.level=WARN"))) {
      System.err.printf(
          "simulate: the site's API (HAProxy) %s, broker %s, planner orch-%s%n",
          s.baseUrl(), s.brokerUri(), s.plannerIndex().map(String::valueOf).orElse("?"));
      return run(sc, routerDc, s.brokerUri(), s.baseUrl(), s.logins(), s.apiKey(ApiRole.CLIENT));
    }
  }

  private int run(
      Scenario sc,
      Path routerDc,
      String broker,
      String orchestrator,
      SimulatedFleet.Logins logins,
      String apiKey)
      throws Exception {
    try (SimulatedFleet fleet = SimulatedFleet.start(sc, broker, routerDc, logins)) {
      System.err.printf(
          "simulate: %d agents of scenario %s on %s; %d faults scheduled%n",
          sc.devices().size(), sc.name(), broker, sc.faults().size());
      fleet.scheduleFaults();
      if (prompts > 0) {
        List<PromptReplay.Prompt> ps =
            PromptReplay.load(routerDc, Math.max(1, prompts / 4), sc.seed());
        if (sc.workload() != null) {
          ps = LengthMix.shape(ps, sc.workload(), LengthMix.plannedLengths(), sc.seed());
        }
        Progress bar = new Progress("prompts", ps.size());
        List<PromptReplay.Outcome> out =
            PromptReplay.run(
                orchestrator, apiKey, ps, clients, sc.workload() == null ? 256 : 0, bar::update);
        System.out.print(ReplayReport.table(ReplayReport.rows(out)));
        System.out.println("faults: " + fleet.faultLog());
        return 0;
      }
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    }
    return 0;
  }
}
