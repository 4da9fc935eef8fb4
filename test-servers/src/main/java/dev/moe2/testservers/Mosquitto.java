package dev.moe2.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Debian's Mosquitto started on a configuration file (e.g. the one {@code
 * FleetCredentials.writeLoopbackMosquitto} writes), waited for until it listens on its port.
 */
public final class Mosquitto implements AutoCloseable {

  /** Where Debian's package puts the broker. */
  public static final Path EXECUTABLE = Path.of("/usr/sbin/mosquitto");

  private final Process process;
  private final Path log;

  private Mosquitto(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Whether Debian's mosquitto is installed here. */
  public static boolean installed() {
    return Files.isExecutable(EXECUTABLE);
  }

  /** Starts mosquitto on {@code conf} and waits (10 s at most) until {@code port} takes TCP. */
  public static Mosquitto start(Path conf, int port, Path log) {
    Path exe = Processes.find("mosquitto", List.of(EXECUTABLE.getParent()), "mosquitto");
    try {
      Process p =
          new ProcessBuilder(exe.toString(), "-c", conf.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < end) {
        if (!p.isAlive()) {
          throw new IllegalStateException("mosquitto exited; its log: " + Files.readString(log));
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return new Mosquitto(p, log);
        } catch (IOException e) {
          LockSupport.parkNanos(50_000_000L);
        }
      }
      p.destroyForcibly();
      throw new IllegalStateException("mosquitto did not listen on " + port + "; its log: " + log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start mosquitto", e);
    }
  }

  public Path log() {
    return log;
  }

  /** Stops the broker (SIGTERM) and waits for it. */
  @Override
  public void close() {
    Processes.stop(process, 10);
  }
}
