package dev.moe2.edgeagent;

import dev.moe2.protocol.testing.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real MQTT 5 broker on 127.0.0.1 for tests: embedded HiveMQ CE or Debian's mosquitto. */
interface TestBroker extends AutoCloseable {

  String uri();

  /** Stops the broker (clients lose their connections). */
  void stop();

  /** Starts it again on the same port. */
  void start();

  @Override
  void close();

  static TestBroker hivemq(Path dir) {
    EmbeddedBroker b = EmbeddedBroker.start(dir);
    return new TestBroker() {
      @Override
      public String uri() {
        return b.uri();
      }

      @Override
      public void stop() {
        b.stop();
      }

      @Override
      public void start() {
        b.start();
      }

      @Override
      public void close() {
        b.close();
      }
    };
  }

  /** The mosquitto binary, or null when it is not installed. */
  static Path mosquittoBinary() {
    for (String p :
        List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  /** Runs {@code mosquitto -c conf} with a listener on 127.0.0.1 and a free port. */
  static TestBroker mosquitto(Path dir) {
    Path binary = mosquittoBinary();
    if (binary == null) {
      throw new IllegalStateException(
          "mosquitto is not installed (apt-get install mosquitto; .ci/run does)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path conf = dir.resolve("mosquitto.conf");
    try {
      Files.writeString(
          conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    final int fixedPort = port;
    return new TestBroker() {
      private Process process;

      {
        start();
      }

      @Override
      public String uri() {
        return "tcp://127.0.0.1:" + fixedPort;
      }

      @Override
      public synchronized void start() {
        if (process != null && process.isAlive()) {
          return;
        }
        try {
          process =
              new ProcessBuilder(binary.toString(), "-c", conf.toString())
                  .redirectErrorStream(true)
                  .redirectOutput(dir.resolve("mosquitto.log").toFile())
                  .start();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start mosquitto", e);
        }
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(10))
            .until(
                () -> {
                  try (java.net.Socket s = new java.net.Socket("127.0.0.1", fixedPort)) {
                    return true;
                  } catch (IOException e) {
                    return false;
                  }
                });
      }

      @Override
      public synchronized void stop() {
        if (process != null) {
          process.destroy();
          try {
            process.waitFor(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void close() {
        stop();
      }
    };
  }
}
