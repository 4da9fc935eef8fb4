package dev.moe2.tools.conformance;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.tools.conformance.ConformanceKit.Result;
import dev.moe2.tools.conformance.ConformanceKit.Status;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/conformance}: checks an edge agent against the MQTT contract. */
@Command(
    name = "conformance",
    mixinStandardHelpOptions = true,
    version = "moe2 conformance 0.1.0",
    description = {
      "Checks an edge agent connected to a broker against docs/mqtt-contract.md, playing the",
      "orchestrator: birth and online state, plans (applied, rejected), requests and replies with",
      "their MQTT 5 properties, k experts on one agent, redelivery, the second attempt, errors,",
      "re-asserting online after a late will, profile reports. Run it against an agent that no live",
      "orchestrator serves: it sends the agent a plan (keeping its power mode and resident models)",
      "and clears that retained plan at the end.",
      "The broker password is read from the environment variable MOE2_MQTT_PASSWORD, never from",
      "the command line.",
      "Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 the kit could not",
      "run (bad option, broker unreachable)."
    })
public final class ConformanceCommand implements Callable<Integer> {

  @Option(
      names = "--broker",
      paramLabel = "URI",
      defaultValue = "tcp://127.0.0.1:1883",
      description = "The broker the agent is connected to (default: ${DEFAULT-VALUE}).")
  String broker;

  @Option(
      names = "--agent",
      paramLabel = "ID",
      required = true,
      description = "The agent's id (its MQTT client id and topic level).")
  String agent;

  @Option(
      names = "--username",
      paramLabel = "NAME",
      description = "Broker username (password: env MOE2_MQTT_PASSWORD).")
  String username;

  @Option(
      names = "--orchestrator-id",
      paramLabel = "ID",
      defaultValue = "conformance",
      description = "The orchestrator id the kit answers to (default: ${DEFAULT-VALUE}).")
  String orchestratorId;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long one step may take, e.g. a plan that loads a model (default: ${DEFAULT-VALUE}).")
  double timeoutS;

  @Option(
      names = "--quiet",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description =
          "How long to listen for an answer that must not come (default: ${DEFAULT-VALUE}).")
  double quietS;

  @Option(
      names = "--profile-timeout",
      paramLabel = "SECONDS",
      defaultValue = "45",
      description =
          "How long to wait for a profile report, 0 to skip (default: ${DEFAULT-VALUE}; agents"
              + " report every 30 s by default).")
  double profileS;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger MQTT_LOG =
      java.util.logging.Logger.getLogger("dev.moe2.mqtt");

  public static void main(String[] args) {
    // the link's connect/reconnect lines are for daemons; the table says what happened
    MQTT_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new ConformanceCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConformanceKit.Settings settings;
    try {
      String password = System.getenv("MOE2_MQTT_PASSWORD");
      settings =
          new ConformanceKit.Settings(
              broker,
              username,
              password == null ? null : password.toCharArray(),
              AgentId.of(agent),
              OrchestratorId.of(orchestratorId),
              seconds(timeoutS, "--timeout"),
              seconds(quietS, "--quiet"),
              profileS == 0 ? Duration.ZERO : seconds(profileS, "--profile-timeout"));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
    out.printf(Locale.ROOT, "checking agent %s on %s%n", agent, broker);
    out.printf(Locale.ROOT, "%-24s %-5s %8s  %s%n", "check", "result", "ms", "detail");
    out.flush();
    List<Result> results;
    try {
      results =
          new ConformanceKit(
                  settings,
                  r -> {
                    out.printf(
                        Locale.ROOT,
                        "%-24s %-5s %8d  %s%n",
                        r.check(),
                        r.status(),
                        r.took().toMillis(),
                        r.detail());
                    out.flush();
                  })
              .run();
    } catch (ConformanceException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
    Map<Status, Integer> count = new EnumMap<>(Status.class);
    for (Status s : Status.values()) {
      count.put(s, 0);
    }
    results.forEach(r -> count.merge(r.status(), 1, Integer::sum));
    boolean pass = count.get(Status.FAIL) == 0;
    out.printf(
        Locale.ROOT,
        "agent=%s checks=%d passed=%d failed=%d warned=%d skipped=%d result=%s%n",
        agent,
        results.size(),
        count.get(Status.PASS),
        count.get(Status.FAIL),
        count.get(Status.WARN),
        count.get(Status.SKIP),
        pass ? "pass" : "fail");
    out.flush();
    return pass ? 0 : 1;
  }

  private static Duration seconds(double s, String option) {
    if (!(s > 0) || s > 3600) {
      throw new IllegalArgumentException(option + " has value " + s + ": it must be in (0, 3600]");
    }
    return Duration.ofMillis(Math.round(s * 1000));
  }
}
