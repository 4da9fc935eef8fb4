package dev.moe2.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * For tests: Debian's mosquitto on 127.0.0.1 and a free port, run as docs/deploy.md configures it
 * (no anonymous clients, the password and ACL files {@link FleetCredentials} writes, client id =
 * user name).
 */
final class Mosquitto implements AutoCloseable {

  private final Process process;
  private final int port;

  private Mosquitto(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static Mosquitto start(Path dir, FleetCredentials store) throws IOException {
    Path binary =
        List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto").stream()
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "mosquitto is not installed (apt-get install mosquitto; .ci/run does)"));
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = store.writeLoopbackMosquitto(dir, port);
    Process p =
        new ProcessBuilder(binary.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    Mosquitto m = new Mosquitto(p, port);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
              }
              try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
              } catch (IOException e) {
                return false;
              }
            });
    return m;
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
