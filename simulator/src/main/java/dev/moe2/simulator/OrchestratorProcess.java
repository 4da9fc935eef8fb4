package dev.moe2.simulator;

import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.ApiRole;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import dev.moe2.simulator.fleet.SimulatedFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The orchestrator as a separate process (its packaged Quarkus jar), as an operator runs it: the
 * simulator talks to it over HTTP and MQTT like any client. Bound to 127.0.0.1.
 */
public final class OrchestratorProcess implements AutoCloseable {

  private static final String STATE_KEY = "-Dmoe2.security.state-dir=";

  private final Process process;
  private final int httpPort;
  private final int mqttPort;
  private final Path log;
  private final Path stateDir;
  private final SecureRandom random = new SecureRandom();
  private final Map<ApiRole, String> keys = new EnumMap<>(ApiRole.class);

  private OrchestratorProcess(Process process, int httpPort, int mqttPort, Path log, Path state) {
    this.process = process;
    this.httpPort = httpPort;
    this.mqttPort = mqttPort;
    this.log = log;
    this.stateDir = state;
  }

  /**
   * Starts {@code jar} and waits until it is ready (its broker link is up).
   *
   * @param httpPort 0: a free port
   * @param mqttPort 0: a free port (the embedded broker's)
   * @param extra more {@code -Dkey=value} settings (e.g. an external broker, or {@code
   *     -Dmoe2.security.state-dir=...}; a fresh temporary state folder otherwise). Security is on,
   *     as a user gets it; the API's per-key limits are lifted (benchmarks drive it hard with one
   *     key) unless {@code extra} sets them.
   */
  public static OrchestratorProcess start(
      Path jar, Path shared, int httpPort, int mqttPort, List<String> extra, Duration timeout) {
    return start(jar, shared, httpPort, mqttPort, extra, Map.of(), timeout);
  }

  /**
   * As {@link #start(Path, Path, int, int, List, Duration)}, with environment variables (secrets
   * such as the database password go there, not on the command line where {@code ps} shows them).
   */
  public static OrchestratorProcess start(
      Path jar,
      Path shared,
      int httpPort,
      int mqttPort,
      List<String> extra,
      Map<String, String> env,
      Duration timeout) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "the orchestrator jar is missing at "
              + jar.toAbsolutePath()
              + " (mvn -pl orchestrator -am install)");
    }
    int http = httpPort == 0 ? freePort() : httpPort;
    int mqtt = mqttPort == 0 ? freePort() : mqttPort;
    try {
      Path log = Files.createTempFile("moe2-orchestrator", ".log");
      Path state =
          extra.stream()
              .filter(e -> e.startsWith(STATE_KEY))
              .map(e -> Path.of(e.substring(STATE_KEY.length())))
              .findFirst()
              .orElse(Files.createTempDirectory("moe2-state"))
              .toAbsolutePath();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dquarkus.http.port=" + http);
      cmd.add("-Dmoe2.broker.port=" + mqtt);
      cmd.add("-Dmoe2.shared.dir=" + shared.toAbsolutePath());
      cmd.add(STATE_KEY + state);
      cmd.add("-Dmoe2.security.requests-per-second=1000000");
      cmd.add("-Dmoe2.security.burst=1000000");
      cmd.add("-Dmoe2.security.max-concurrent=1000000");
      cmd.addAll(extra);
      cmd.add("-jar");
      cmd.add(jar.toAbsolutePath().toString());
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      OrchestratorProcess o = new OrchestratorProcess(p, http, mqtt, log, state);
      o.awaitReady(timeout);
      return o;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the orchestrator: " + e.getMessage(), e);
    }
  }

  /** Waits until {@code /q/health/ready} answers 200. */
  public void awaitReady(Duration timeout) {
    HttpClient client = HttpClient.newHttpClient();
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the orchestrator exited with code " + process.exitValue() + "; its log: " + log);
      }
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      LockSupport.parkNanos(200_000_000L);
    }
    throw new IllegalStateException(
        "the orchestrator was not ready within " + timeout.toSeconds() + " s; its log: " + log);
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public String brokerUri() {
    return "tcp://127.0.0.1:" + mqttPort;
  }

  public int mqttPort() {
    return mqttPort;
  }

  /** The site's state folder (credentials) this orchestrator runs with. */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * The MQTT logins of simulated agents on this orchestrator's embedded broker: each agent's
   * identity is issued on first use (the broker reads the store again when it changes).
   */
  public SimulatedFleet.Logins logins() {
    return logins(stateDir);
  }

  /** The MQTT logins of simulated agents whose identities are kept in {@code stateDir}. */
  public static SimulatedFleet.Logins logins(Path stateDir) {
    FleetCredentials store = FleetCredentials.in(stateDir);
    SecureRandom random = new SecureRandom();
    return id ->
        SecretFiles.ensure(
            store, stateDir, new Acl.Identity(id, Acl.Role.AGENT), random, Instant.now());
  }

  /** An API key of {@code role} for this site, kept in its state folder. */
  public synchronized String apiKey(ApiRole role) {
    return keys.computeIfAbsent(
        role,
        r ->
            SecretFiles.ensureKey(
                ApiKeys.in(stateDir), stateDir, r, "simulator", random, Instant.now()));
  }

  public Path log() {
    return log;
  }

  /** Kills the process at once (SIGKILL): a crash, nothing flushed, nothing handed over. */
  public void crash() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
