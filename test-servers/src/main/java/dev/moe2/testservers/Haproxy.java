package dev.moe2.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's HAProxy in front of orchestrator replicas on 127.0.0.1: round robin over the backends,
 * each checked on the readiness endpoint; the configuration is {@link #config}, the one {@code
 * docs/deploy.md} shows. {@link #close()} stops it.
 */
public final class Haproxy implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path dir;

  private Haproxy(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /**
   * The configuration: an HTTP frontend on {@code 127.0.0.1:port}, round robin over {@code
   * backends} (ports on 127.0.0.1), each checked with {@code GET /q/health/ready} every 500 ms (out
   * after 2 failures, back after 2 successes); a request whose replica fails before answering is
   * sent once to another ({@code retry-on conn-failure empty-response}).
   */
  public static String config(int port, List<Integer> backends) {
    StringBuilder b =
        new StringBuilder(
            """
            global
                maxconn 4096

            defaults
                mode http
                timeout connect 2s
                timeout client 120s
                timeout server 120s
                retries 2
                option redispatch
                option http-buffer-request
                retry-on conn-failure empty-response response-timeout

            frontend moe2_api
                bind 127.0.0.1:%d
                default_backend moe2_orchestrators

            backend moe2_orchestrators
                balance roundrobin
                option httpchk GET /q/health/ready
                http-check expect status 200
                default-server inter 500ms fall 2 rise 2
            """
                .formatted(port));
    for (int i = 0; i < backends.size(); i++) {
      b.append("    server replica")
          .append(i + 1)
          .append(" 127.0.0.1:")
          .append(backends.get(i))
          .append(" check\n");
    }
    return b.toString();
  }

  /** Starts HAProxy on a free port in front of {@code backends}; waits until it listens. */
  public static Haproxy start(List<Integer> backends) {
    Path exe =
        Processes.find(
            "haproxy", List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin")), "haproxy");
    int port = Processes.freePort();
    try {
      Path dir = Files.createTempDirectory("moe2-haproxy-");
      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, config(port, backends));
      Processes.run(List.of(exe.toString(), "-c", "-q", "-f", cfg.toString()), Map.of(), 30);
      Process p =
          new ProcessBuilder(exe.toString(), "-db", "-f", cfg.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("haproxy.log").toFile())
              .start();
      Haproxy h = new Haproxy(p, port, dir);
      h.awaitListening();
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start haproxy", e);
    }
  }

  private void awaitListening() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException("haproxy exited: " + log());
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        LockSupport.parkNanos(50_000_000L);
      }
    }
    throw new IllegalStateException("haproxy did not listen on " + port + " within 20 s: " + log());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("haproxy.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    Processes.stop(process, 10);
    Processes.deleteTree(dir);
  }
}
