package dev.moe2.simulator;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The orchestrator as a separate process (its packaged Quarkus jar), as an operator runs it: the
 * simulator talks to it over HTTP and MQTT like any client. Bound to 127.0.0.1.
 */
public final class OrchestratorProcess implements AutoCloseable {

  private final Process process;
  private final int httpPort;
  private final int mqttPort;
  private final Path log;

  private OrchestratorProcess(Process process, int httpPort, int mqttPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.mqttPort = mqttPort;
    this.log = log;
  }

  /**
   * Starts {@code jar} and waits until it is ready (its broker link is up).
   *
   * @param httpPort 0: a free port
   * @param mqttPort 0: a free port (the embedded broker's)
   * @param extra more {@code -Dkey=value} settings (e.g. an external broker)
   */
  public static OrchestratorProcess start(
      Path jar, Path shared, int httpPort, int mqttPort, List<String> extra, Duration timeout) {
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
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dquarkus.http.port=" + http);
      cmd.add("-Dmoe2.broker.port=" + mqtt);
      cmd.add("-Dmoe2.shared.dir=" + shared.toAbsolutePath());
      cmd.addAll(extra);
      cmd.add("-jar");
      cmd.add(jar.toAbsolutePath().toString());
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OrchestratorProcess o = new OrchestratorProcess(p, http, mqtt, log);
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

  public Path log() {
    return log;
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
