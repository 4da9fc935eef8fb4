package dev.moe2.edgeagent;

import dev.moe2.edgeagent.config.AgentConfig;
import dev.moe2.edgeagent.config.ConfigException;
import dev.moe2.edgeagent.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edge-agent}: the daemon's command line. */
@Command(
    name = "edge-agent",
    mixinStandardHelpOptions = true,
    version = "edge-agent " + "0.1.0",
    description = {
      "Serves this device's experts over MQTT (the MoE2 contract): births, state, profiles,",
      "inference requests and plans. Config: a YAML file, then environment variables",
      "(MOE2_AGENT_ID, MOE2_DEVICE_CLASS, MOE2_POWER_MODE, MOE2_MQTT_URI, MOE2_MQTT_USERNAME,",
      "MOE2_MQTT_PASSWORD), then flags. Invalid config: exit code 2 with the key and the reason."
    })
public final class AgentMain implements Callable<Integer> {

  @Option(names = "--config", description = "YAML config file (see edge-agent/config/).")
  Path config;

  @Option(names = "--agent-id", description = "Overrides agentId.")
  String agentId;

  @Option(names = "--broker", description = "Overrides mqtt.uri, e.g. tcp://127.0.0.1:1883.")
  String broker;

  @Option(names = "--power-mode", description = "Overrides powerMode (the mode at start).")
  String powerMode;

  @Option(
      names = "--set",
      description = "Overrides any key: --set serving.maxConcurrent=8 (repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--check", description = "Validate the config, print it, and exit.")
  boolean check;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AgentMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> overrides = new LinkedHashMap<>(set);
    if (agentId != null) {
      overrides.put("agentId", agentId);
    }
    if (broker != null) {
      overrides.put("mqtt.uri", broker);
    }
    if (powerMode != null) {
      overrides.put("powerMode", powerMode);
    }
    AgentConfig cfg;
    Agent agent;
    try {
      cfg = ConfigLoader.load(config, System.getenv(), overrides);
      agent = AgentFactory.build(cfg, Clock.systemUTC());
    } catch (ConfigException e) {
      System.err.println("edge-agent: invalid configuration: " + e.getMessage());
      return 2;
    }
    if (check) {
      System.out.printf(
          "config ok: agent %s, %s in %s, broker %s, %d experts, meter %s, power %s%n",
          cfg.agentId(),
          cfg.deviceClass(),
          cfg.powerMode(),
          cfg.mqtt().uri(),
          cfg.experts().size(),
          cfg.energy().meter(),
          cfg.power().controller());
      agent.close();
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "edge-agent-shutdown"));
    agent.start();
    stopped.await();
    return 0;
  }
}
