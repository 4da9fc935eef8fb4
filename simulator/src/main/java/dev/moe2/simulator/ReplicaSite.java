package dev.moe2.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiRole;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.testservers.Haproxy;
import dev.moe2.testservers.Mosquitto;
import dev.moe2.testservers.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A site of orchestrator replicas as docs/deploy.md lays it out, on loopback: one PostgreSQL
 * (throwaway cluster), one Mosquitto with the site's identities, N packaged orchestrators (ids
 * {@code orch-1..N}, one state folder for the API keys) and HAProxy in front of them. The database
 * password reaches the replicas through their environment.
 */
public final class ReplicaSite implements AutoCloseable {

  private final Path jar;
  private final Path shared;
  private final List<String> settings;
  private final Path dir;
  private final PostgresCluster pg;
  private final Mosquitto broker;
  private final int mqttPort;
  private final String jdbcUrl;
  private final List<OrchestratorProcess> replicas = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private Haproxy balancer;

  private ReplicaSite(
      Path jar,
      Path shared,
      List<String> settings,
      Path dir,
      PostgresCluster pg,
      Mosquitto broker,
      int mqttPort,
      String jdbcUrl) {
    this.jar = jar;
    this.shared = shared;
    this.settings = settings;
    this.dir = dir;
    this.pg = pg;
    this.broker = broker;
    this.mqttPort = mqttPort;
    this.jdbcUrl = jdbcUrl;
  }

  /**
   * Starts the database, the broker, {@code n} replicas (one after the other: the first one
   * migrates the database) and HAProxy.
   *
   * @param agents the agent ids whose identities the broker must know (it reads them at start)
   * @param settings more {@code -D} settings of every replica
   */
  public static ReplicaSite start(
      Path jar, Path shared, int n, List<String> agents, List<String> settings) {
    Path dir;
    try {
      dir = Files.createTempDirectory("moe2-site-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the site's folder", e);
    }
    Path state = dir.resolve("state");
    FleetCredentials store = FleetCredentials.in(state);
    SecureRandom random = new SecureRandom();
    for (int i = 1; i <= n; i++) {
      SecretFiles.ensure(
          store,
          state,
          new Acl.Identity("orch-" + i, Acl.Role.ORCHESTRATOR),
          random,
          Instant.now());
    }
    SimulatedFleet.Logins logins = OrchestratorProcess.logins(state);
    agents.forEach(logins::secretOf);
    int mqttPort = OrchestratorProcess.freePort();
    PostgresCluster pg = PostgresCluster.start();
    Mosquitto broker = null;
    ReplicaSite site = null;
    try {
      String url = pg.createDatabase("moe2");
      broker =
          Mosquitto.start(
              store.writeLoopbackMosquitto(dir, mqttPort), mqttPort, dir.resolve("mosquitto.log"));
      site = new ReplicaSite(jar, shared, settings, dir, pg, broker, mqttPort, url);
      for (int i = 1; i <= n; i++) {
        site.startReplica(i);
      }
      site.balancer = Haproxy.start(site.httpPorts);
      return site;
    } catch (RuntimeException e) {
      if (site != null) {
        site.close();
      } else {
        if (broker != null) {
          broker.close();
        }
        pg.close();
      }
      throw e;
    }
  }

  /** Starts replica {@code i} (1-based; again after {@link #kill}) on its own HTTP port. */
  public OrchestratorProcess startReplica(int i) {
    int port = i <= httpPorts.size() ? httpPorts.get(i - 1) : OrchestratorProcess.freePort();
    List<String> s = new ArrayList<>(settings);
    s.add("-Dmoe2.orchestrator-id=orch-" + i);
    s.add("-Dquarkus.shutdown.delay=2s"); // HAProxy's checks (every 500 ms) see it leave first
    s.add("-Dmoe2.broker.embedded=false");
    s.add("-Dmoe2.broker.uri=" + brokerUri());
    s.add("-Dmoe2.security.state-dir=" + dir.resolve("state").toAbsolutePath());
    s.add("-Dquarkus.datasource.active=false");
    s.add("-Dquarkus.datasource.postgresql.jdbc.url=" + jdbcUrl);
    s.add("-Dquarkus.datasource.postgresql.username=" + pg.user());
    OrchestratorProcess o =
        OrchestratorProcess.start(
            jar,
            shared,
            port,
            0,
            s,
            Map.of("QUARKUS_DATASOURCE_POSTGRESQL_PASSWORD", pg.password()),
            Duration.ofMinutes(5));
    if (i <= replicas.size()) {
      replicas.set(i - 1, o);
    } else {
      replicas.add(o);
      httpPorts.add(port);
    }
    return o;
  }

  public String brokerUri() {
    return "tcp://127.0.0.1:" + mqttPort;
  }

  /** The MQTT logins of the simulated agents (their identities are in the site's state). */
  public SimulatedFleet.Logins logins() {
    return OrchestratorProcess.logins(dir.resolve("state"));
  }

  public List<OrchestratorProcess> replicas() {
    return replicas;
  }

  /** The load balancer's address: what applications call. */
  public String baseUrl() {
    return balancer.baseUrl();
  }

  public String apiKey(ApiRole role) {
    return replicas.get(0).apiKey(role);
  }

  /** What replica {@code i} (1-based) says of the planner, when it answers. */
  public Optional<JsonNode> planner(int i) {
    OrchestratorProcess o = replicas.get(i - 1);
    if (!o.alive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new FleetWatch(o.baseUrl(), apiKey(ApiRole.VIEWER)).get("/api/planner"));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The replica (1-based) that says it plans, if one does now. */
  public Optional<Integer> plannerIndex() {
    for (int i = 1; i <= replicas.size(); i++) {
      if (planner(i).map(p -> p.path("planning").asBoolean()).orElse(false)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Waits until a replica other than {@code not} plans; how long that took, ms. */
  public long awaitPlannerOtherThan(int not, Duration timeout) {
    long t0 = System.nanoTime();
    long end = t0 + timeout.toNanos();
    while (System.nanoTime() < end) {
      Optional<Integer> p = plannerIndex();
      if (p.isPresent() && p.get() != not) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      LockSupport.parkNanos(20_000_000L);
    }
    throw new IllegalStateException("no replica took over planning within " + timeout);
  }

  /**
   * Takes replica {@code i} down with {@code how} ({@link #kill} or {@link #crash}, on a thread of
   * its own) and returns the milliseconds from then until another replica says it plans.
   */
  public long downAndTimeTakeover(int i, java.util.function.IntConsumer how, Duration timeout)
      throws InterruptedException {
    Thread down = new Thread(() -> how.accept(i), "replica-" + i + "-down");
    long t0 = System.nanoTime();
    down.start();
    awaitPlannerOtherThan(i, timeout);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    down.join();
    return ms;
  }

  /** Stops replica {@code i} (SIGTERM: it finishes what it answers and gives the lease up). */
  public void kill(int i) {
    replicas.get(i - 1).close();
  }

  /** Kills replica {@code i} (SIGKILL): a crash; its lease lapses after its time to live. */
  public void crash(int i) {
    replicas.get(i - 1).crash();
  }

  /** Every replica's and the servers' logs, for a failure's message. */
  public String logs() {
    StringBuilder b = new StringBuilder();
    for (OrchestratorProcess o : replicas) {
      b.append(o.log()).append(' ');
    }
    return b.append(broker.log()).toString();
  }

  @Override
  public void close() {
    if (balancer != null) {
      balancer.close();
    }
    replicas.forEach(OrchestratorProcess::close);
    broker.close();
    pg.close();
  }
}
