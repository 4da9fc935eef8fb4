package dev.moe2.simulator;

import dev.moe2.profiles.workload.SharedData;
import dev.moe2.security.ApiRole;
import dev.moe2.simulator.cli.Progress;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.replay.ReplayReport;
import dev.moe2.simulator.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/demo}: the orchestrator, its embedded broker and the simulated reference fleet.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the orchestrator (embedded MQTT broker on 127.0.0.1) and the simulated reference",
      "fleet (2 Jetson AGX Orin 64GB, 1 Orin NX 16GB, 1 RTX 4090; the 7 RouterDC models placed and",
      "power modes set by the optimizer), sends real MMLU, GSM8K, ARC and HumanEval prompts through",
      "the OpenAI-compatible API, prints per category the accuracy against the best single expert",
      "and energy and delay against budget, then keeps running for the dashboard until Ctrl-C."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--prompts",
      defaultValue = "300",
      description = "Prompts in all (split over the four categories).")
  int prompts;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent API clients.")
  int clients;

  @Option(
      names = "--warmup",
      defaultValue = "96",
      description = {
        "Untimed requests first, on prompts the summary does not use (fewer where a category has",
        "no more; 0: none). A JVM that has",
        "just started compiles its hot code for its first seconds; on a small machine that CPU is",
        "taken from the requests, and a 0.5 s knowledge budget is then missed."
      })
  int warmup;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port of the orchestrator (0: any free one).")
  int port;

  @Option(
      names = "--mqtt-port",
      defaultValue = "1883",
      description = "Port of the embedded broker (0: any free one).")
  int mqttPort;

  @Option(
      names = "--scenario",
      defaultValue = "reference",
      description = "Scenario file or built-in name (reference, faults, load-8).")
  String scenario;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  @Option(names = "--exit", description = "Stop after the summary instead of waiting for Ctrl-C.")
  boolean exit;

  @Option(names = "--seed", defaultValue = "1", description = "Prompt sampling seed.")
  long seed;

  @Option(
      names = "--state-dir",
      description =
          "The demo site's credentials: MQTT identities of the orchestrator and the simulated"
              + " agents, API keys (created on the first run, kept for the next; default"
              + " $XDG_STATE_HOME/moe2/demo, else ~/.local/state/moe2/demo; never in the repository).")
  Path stateDir;

  static Path defaultStateDir() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("moe2").resolve("demo");
  }

  /** The orchestrator's energy ledger of the last day, per category (all keys of this site). */
  private static void printLedger(FleetWatch watch) {
    com.fasterxml.jackson.databind.JsonNode usage =
        watch.get("/api/usage?by=day&from=" + java.time.Instant.now().minus(Duration.ofDays(1)));
    java.util.Map<String, double[]> byCategory = new java.util.TreeMap<>();
    for (com.fasterxml.jackson.databind.JsonNode r : usage.path("rows")) {
      double[] t = byCategory.computeIfAbsent(r.path("category").asText(), k -> new double[3]);
      t[0] += r.path("requests").asDouble();
      t[1] += r.path("joules").asDouble();
      t[2] += r.path("predictedJoules").asDouble();
    }
    System.out.printf(
        Locale.ROOT,
        "%nenergy ledger (the orchestrator's database, last 24 h, all keys of this site)%n"
            + "%-12s %8s %12s %14s%n",
        "category",
        "requests",
        "measured J",
        "predicted J");
    for (var e : byCategory.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%-12s %8.0f %12.1f %14.1f%n",
          e.getKey(),
          e.getValue()[0],
          e.getValue()[1],
          e.getValue()[2]);
    }
  }

  /** The asked port, or a free one (said so) when it is taken, e.g. by a mosquitto service. */
  private static int portOrFree(int asked, String what) {
    if (asked == 0) {
      return OrchestratorProcess.freePort();
    }
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(asked, 1, java.net.InetAddress.getLoopbackAddress())) {
      return asked;
    } catch (java.io.IOException e) {
      int free = OrchestratorProcess.freePort();
      System.err.printf(
          Locale.ROOT, "demo: %s port %d is taken; using %d instead%n", what, asked, free);
      return free;
    }
  }

  public static void main(String[] args) {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new DemoCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (prompts < 1 || clients < 1 || warmup < 0) {
      System.err.printf(
          Locale.ROOT,
          "error: need --prompts >= 1, --clients >= 1 and --warmup >= 0; got %d, %d and %d%n",
          prompts,
          clients,
          warmup);
      return 2;
    }
    Path routerDc = shared.resolve(SharedData.ROUTERDC);
    if (!Files.isDirectory(routerDc)) {
      System.err.println(
          "error: the shared data folder is missing: "
              + routerDc.toAbsolutePath()
              + " (use --shared)");
      return 2;
    }
    Scenario sc = Scenario.load(scenario);
    port = portOrFree(port, "HTTP");
    mqttPort = portOrFree(mqttPort, "MQTT");
    System.err.println(
        "demo: starting the orchestrator and its embedded broker (the first run trains the gate: a minute or two) ...");
    OrchestratorProcess orch;
    try {
      Path state = (stateDir == null ? defaultStateDir() : stateDir).toAbsolutePath();
      orch =
          OrchestratorProcess.start(
              jar,
              shared,
              port,
              mqttPort,
              List.of("-Dmoe2.security.state-dir=" + state),
              Duration.ofMinutes(10));
    } catch (IllegalStateException e) {
      System.err.println(
          "error: "
              + e.getMessage()
              + (port != 0
                  ? " — is port " + port + " or " + mqttPort + " taken? try --port 0 --mqtt-port 0"
                  : ""));
      return 1;
    }
    SimulatedFleet fleet = null;
    CountDownLatch stopped = new CountDownLatch(1);
    try {
      System.err.printf(
          Locale.ROOT,
          "demo: orchestrator up at %s, broker %s; starting %d simulated agents (%s) ...%n",
          orch.baseUrl(),
          orch.brokerUri(),
          sc.devices().size(),
          sc.name());
      fleet = SimulatedFleet.start(sc, orch.brokerUri(), routerDc, orch.logins());
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      int n = sc.devices().size();
      watch.await(
          Duration.ofSeconds(60), w -> w.confirmed() == n, "the plan to be applied by all agents");
      System.err.println("demo: plan applied: " + watch.latestPlan().path("devices"));
      fleet.scheduleFaults();
      int perCategory = Math.max(1, prompts / 4);
      if (warmup > 0) {
        List<PromptReplay.Prompt> warm =
            PromptReplay.load(routerDc, Math.max(1, warmup / 4), seed, perCategory);
        Progress wb = new Progress("warm-up", warm.size());
        List<PromptReplay.Outcome> w =
            PromptReplay.run(
                orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), warm, clients, 256, wb::update);
        System.err.printf(
            Locale.ROOT,
            "demo: warm-up: %d untimed requests, %d answered (not in the summary)%n",
            w.size(),
            w.stream().filter(PromptReplay.Outcome::answered).count());
      }
      List<PromptReplay.Prompt> ps = PromptReplay.load(routerDc, perCategory, seed);
      Progress bar = new Progress("prompts", ps.size());
      List<PromptReplay.Outcome> out =
          PromptReplay.run(
              orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), ps, clients, 256, bar::update);
      List<ReplayReport.Row> rows = ReplayReport.rows(out);
      System.out.println();
      System.out.print(ReplayReport.table(rows));
      printLedger(watch);
      long errors = out.stream().filter(o -> !o.answered()).count();
      long violations = out.stream().filter(PromptReplay.Outcome::violated).count();
      System.out.printf(
          Locale.ROOT,
          "%nrequests=%d answered=%d explicit_errors=%d accuracy=%.3f budget_violations=%d%n",
          out.size(),
          out.size() - errors,
          errors,
          ReplayReport.accuracy(out),
          violations);
      System.out.println(
          "dashboard: " + orch.baseUrl() + "/   (API: " + orch.baseUrl() + "/q/openapi)");
      System.out.println("  sign in with the viewer key:   " + orch.apiKey(ApiRole.VIEWER));
      System.out.println("  budgets need the operator key: " + orch.apiKey(ApiRole.OPERATOR));
      System.out.println(
          "  credentials of this demo site: "
              + orch.stateDir()
              + " (scripts/credentials --state-dir ... list)");
      if (!exit) {
        System.out.println("Ctrl-C stops the demo.");
        SimulatedFleet f = fleet;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      f.close();
                      orch.close();
                      stopped.countDown();
                    },
                    "demo-shutdown"));
        stopped.await();
        return 0;
      }
      return 0;
    } finally {
      if (exit || stopped.getCount() == 1) {
        if (fleet != null) {
          fleet.close();
        }
        orch.close();
      }
    }
  }
}
