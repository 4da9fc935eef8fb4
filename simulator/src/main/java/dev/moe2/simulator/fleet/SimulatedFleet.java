package dev.moe2.simulator.fleet;

import dev.moe2.edgeagent.Agent;
import dev.moe2.edgeagent.AgentFactory;
import dev.moe2.edgeagent.config.AgentConfig;
import dev.moe2.edgeagent.config.ConfigLoader;
import dev.moe2.edgeagent.sim.SimulatedDevice;
import dev.moe2.protocol.NoDelaySocketFactory;
import dev.moe2.protocol.testing.FaultProxy;
import dev.moe2.simulator.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * N virtual agents from a scenario: the real edge-agent code with the simulated backend, meter and
 * power controller, connected to a broker; faults injected on demand or on the scenario's schedule.
 * Deterministic under the scenario's seed (each agent's simulation is seeded from it). Usable from
 * JUnit ({@code try (var fleet = SimulatedFleet.start(...))}) and from the CLI.
 */
public final class SimulatedFleet implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(SimulatedFleet.class.getName());

  private final Scenario scenario;
  private final String brokerUri;
  private final Path answers;
  private final Path workDir;
  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private final Map<String, AgentConfig> configs = new LinkedHashMap<>();
  private final Map<String, SimulatedDevice> devices = new LinkedHashMap<>();
  private final Map<String, FaultProxy> network = new LinkedHashMap<>();
  private final java.util.Set<String> dead = new java.util.HashSet<>();
  private final ScheduledExecutorService faults =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sim-faults");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger injected = new AtomicInteger();
  private final List<String> log = new ArrayList<>();

  /**
   * The MQTT secret of each simulated agent (user name = client id = agent id) on a broker that
   * authenticates; {@link #ANONYMOUS} on one that does not.
   */
  @FunctionalInterface
  public interface Logins {
    /** The secret of {@code agentId}, issued on first use; null: connect anonymously. */
    String secretOf(String agentId);
  }

  /** For brokers without authentication. */
  public static final Logins ANONYMOUS = id -> null;

  /** The agent identity that publishes the malformed-traffic fault on a secured broker. */
  public static final String MALFORMED_AGENT = "sim-malformed";

  private final Logins logins;

  private SimulatedFleet(
      Scenario scenario, String brokerUri, Path answers, Path workDir, Logins logins) {
    this.logins = logins;
    this.scenario = scenario;
    this.brokerUri = brokerUri;
    this.answers = answers;
    this.workDir = workDir;
  }

  /**
   * Starts every device's agent against {@code brokerUri}.
   *
   * @param answers a RouterDC folder for recorded answers (null: generic answers)
   */
  public static SimulatedFleet start(Scenario scenario, String brokerUri, Path answers) {
    return start(scenario, brokerUri, answers, ANONYMOUS);
  }

  /**
   * Starts every device's agent against {@code brokerUri}, each logging in with its own identity.
   *
   * @param answers a RouterDC folder for recorded answers (null: generic answers)
   */
  public static SimulatedFleet start(
      Scenario scenario, String brokerUri, Path answers, Logins logins) {
    Path dir;
    try {
      dir = Files.createTempDirectory("moe2-sim");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SimulatedFleet f = new SimulatedFleet(scenario, brokerUri, answers, dir, logins);
    long seed = scenario.seed();
    for (Scenario.Device d : scenario.devices()) {
      // each agent reaches the broker through its own relay: crashes and partitions are cut there
      FaultProxy relay = FaultProxy.to(brokerUri);
      f.network.put(d.id(), relay);
      f.configs.put(d.id(), f.config(d, seed++, relay.uri()));
      f.launch(d.id());
    }
    return f;
  }

  private AgentConfig config(Scenario.Device d, long seed, String agentBrokerUri) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("agentId: ").append(d.id()).append('\n');
    yaml.append("deviceClass: ").append(d.deviceClass()).append('\n');
    yaml.append("powerMode: ").append(d.powerMode()).append('\n');
    yaml.append("mqtt: {uri: \"").append(agentBrokerUri).append('"');
    String secret = logins.secretOf(d.id());
    if (secret != null) {
      yaml.append(", username: ")
          .append(d.id())
          .append(", password: \"")
          .append(secret)
          .append('"');
    }
    yaml.append(", keepAliveS: 2, reconnectInitialMs: 100, reconnectMaxMs: 2000}\n");
    yaml.append("serving: {maxConcurrent: ").append(d.maxConcurrent()).append("}\n");
    yaml.append("energy: {meter: simulated}\n");
    yaml.append("power: {controller: simulated}\n");
    yaml.append("profile: {reportIntervalS: 2, minSamples: 3}\n");
    yaml.append(
        String.format(
            Locale.ROOT,
            "simulation: {seed: %d, noise: %s, timeScale: %s, networkDelayMs: %d",
            seed,
            scenario.noise(),
            scenario.timeScale(),
            scenario.networkDelayMs()));
    if (answers != null) {
      yaml.append(", answers: \"").append(answers.toAbsolutePath()).append('"');
    }
    yaml.append("}\nexperts:\n");
    for (String m : d.models() == null ? scenario.models() : d.models()) {
      yaml.append("  - {model: ").append(m).append(", backend: simulated");
      if (scenario.answerTokens() != null) {
        yaml.append(", simulated: {answerTokens: ").append(scenario.answerTokens()).append('}');
      }
      yaml.append("}\n");
    }
    Path file = workDir.resolve(d.id() + ".yaml");
    try {
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ConfigLoader.load(file, Map.of(), Map.of());
  }

  private synchronized void launch(String id) {
    AgentConfig config = configs.get(id);
    SimulatedDevice device = AgentFactory.simulatedDevice(config);
    Agent a = AgentFactory.build(config, Clock.systemUTC(), device).start();
    devices.put(id, device);
    agents.put(id, a);
    dead.remove(id);
  }

  public Scenario scenario() {
    return scenario;
  }

  public synchronized List<Agent> agents() {
    return List.copyOf(agents.values());
  }

  public synchronized Optional<Agent> agent(String id) {
    return Optional.ofNullable(agents.get(id));
  }

  /** What was injected, in order. */
  public synchronized List<String> faultLog() {
    return List.copyOf(log);
  }

  private synchronized void note(String what) {
    log.add(what);
    LOG.log(System.Logger.Level.INFO, "fault: {0}", what);
  }

  /**
   * Kills an agent as a crash would: its network connection drops without a word (the broker
   * publishes its will) and it never comes back; its process is then stopped.
   */
  public void kill(String id) {
    Agent a = agent(id).orElseThrow(() -> unknown(id));
    crash(id, a);
    note("kill " + id);
  }

  private void crash(String id, Agent a) {
    FaultProxy relay;
    synchronized (this) {
      relay = network.get(id);
    }
    relay.blockForever();
    synchronized (this) {
      dead.add(id);
    }
    // the process is gone: its resources are released in the background (no goodbye reaches
    // the broker through the blocked relay), as the operating system would
    Thread reaper = new Thread(a::close, "sim-reap-" + id);
    reaper.setDaemon(true);
    reaper.start();
  }

  /** Starts a killed agent again (a new incarnation). */
  public void restart(String id) {
    if (!configs.containsKey(id)) {
      throw unknown(id);
    }
    synchronized (this) {
      Agent old = agents.get(id);
      if (old != null && !dead.contains(id)) {
        crash(id, old);
      }
      network.get(id).unblock();
    }
    launch(id);
    note("restart " + id);
  }

  /** Slows the device by {@code factor} (thermal throttling, slow replies). */
  public void throttle(String id, double factor) {
    SimulatedDevice device;
    synchronized (this) {
      device = devices.get(id);
    }
    if (device == null) {
      throw unknown(id);
    }
    device.throttle(factor);
    note("throttle " + id + " x" + factor);
  }

  /** Cuts the agent off the broker for a while; it reconnects by itself. */
  public void partition(String id, java.time.Duration duration) {
    FaultProxy relay;
    synchronized (this) {
      relay = network.get(id);
    }
    if (relay == null) {
      throw unknown(id);
    }
    relay.block(duration); // the agent reconnects by itself once the relay accepts again
    note("partition " + id + " for " + duration.toMillis() + " ms");
  }

  /**
   * Publishes {@code count} bad messages: malformed JSON on agent topics and requests, an oversized
   * payload, wrong schema versions, unknown topics. Receivers must count, log and drop. On a
   * secured broker only an authenticated agent can publish at all, so a broken agent of its own
   * ({@value #MALFORMED_AGENT}) sends them on the topics the ACL lets it use: its own.
   */
  public void malformed(int count) {
    Random r = new Random(scenario.seed());
    String secret = logins.secretOf(MALFORMED_AGENT);
    List<String> ids =
        secret == null ? new ArrayList<>(configs.keySet()) : List.of(MALFORMED_AGENT);
    try {
      MqttClient c =
          new MqttClient(
              brokerUri,
              secret == null ? "sim-malformed-" + System.nanoTime() : MALFORMED_AGENT,
              new MemoryPersistence());
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(true);
      if (secret != null) {
        o.setUserName(MALFORMED_AGENT);
        o.setPassword(secret.getBytes(StandardCharsets.UTF_8));
      }
      if (brokerUri.startsWith("tcp:")) {
        o.setSocketFactory(new NoDelaySocketFactory());
      }
      c.connect(o);
      for (int i = 0; i < count; i++) {
        String id = ids.get(r.nextInt(ids.size()));
        String[] topics =
            secret == null
                ? new String[] {
                  "moe2/v1/agents/" + id + "/profile",
                  "moe2/v1/agents/" + id + "/errors",
                  "moe2/v1/agents/" + id + "/experts/zephyr-7b-beta/requests",
                  "moe2/v1/unknown/" + id,
                  "moe2/v1/agents/" + id + "/bogus"
                }
                : new String[] {
                  "moe2/v1/agents/" + id + "/profile",
                  "moe2/v1/agents/" + id + "/errors",
                  "moe2/v1/agents/" + id + "/birth",
                  "moe2/v1/agents/" + id + "/state"
                };
        byte[][] payloads = {
          "{not json".getBytes(StandardCharsets.UTF_8),
          "{\"schemaVersion\":2,\"type\":\"profile\"}".getBytes(StandardCharsets.UTF_8),
          new byte[300 * 1024],
          "[1,2,3]".getBytes(StandardCharsets.UTF_8)
        };
        String topic = topics[r.nextInt(topics.length)];
        byte[] payload = payloads[r.nextInt(payloads.length)];
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
          try {
            c.publish(topic, new MqttMessage(payload, 1, false, null));
            break;
          } catch (MqttException e) {
            if (e.getReasonCode()
                    != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT
                || System.nanoTime() > end) {
              throw e;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
          }
        }
        injected.incrementAndGet();
      }
      c.disconnect();
      c.close();
    } catch (MqttException e) {
      throw new IllegalStateException(
          "cannot publish malformed messages to " + brokerUri + ": " + e, e);
    }
    note("malformed x" + count);
  }

  /** Runs the scenario's faults at their times from now. */
  public void scheduleFaults() {
    for (Scenario.Fault f : scenario.faults()) {
      faults.schedule(
          () -> {
            try {
              apply(f);
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "fault " + f + " failed", e);
            }
          },
          f.atDuration().toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** Applies one fault now. */
  public void apply(Scenario.Fault f) {
    switch (f.kind()) {
      case KILL -> kill(f.agent());
      case RESTART -> restart(f.agent());
      case THROTTLE, SLOW -> throttle(f.agent(), f.factor());
      case PARTITION -> partition(f.agent(), f.forDuration());
      case MALFORMED -> malformed(f.count() == null ? 10 : f.count());
    }
  }

  private static IllegalArgumentException unknown(String id) {
    return new IllegalArgumentException("no agent '" + id + "' in the scenario");
  }

  @Override
  public synchronized void close() {
    faults.shutdownNow();
    agents.forEach(
        (id, a) -> {
          if (!dead.contains(id)) {
            a.close();
          }
        });
    agents.clear();
    network.values().forEach(FaultProxy::close);
    network.clear();
  }
}
