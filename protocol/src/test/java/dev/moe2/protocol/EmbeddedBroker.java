package dev.moe2.protocol;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A HiveMQ CE broker on 127.0.0.1 and a free port, in-memory, with no usage statistics. */
final class EmbeddedBroker implements AutoCloseable {

  private final EmbeddedHiveMQ hivemq;
  private final int port;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, int port) {
    this.hivemq = hivemq;
    this.port = port;
  }

  static EmbeddedBroker start(Path workDir) {
    int port = freePort();
    try {
      Path conf = Files.createDirectories(workDir.resolve("conf"));
      Files.writeString(
          conf.resolve("config.xml"),
          """
          <?xml version="1.0"?>
          <hivemq>
            <listeners>
              <tcp-listener>
                <port>%d</port>
                <bind-address>127.0.0.1</bind-address>
              </tcp-listener>
            </listeners>
            <persistence><mode>in-memory</mode></persistence>
            <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
          </hivemq>
          """
              .formatted(port),
          StandardCharsets.UTF_8);
      EmbeddedHiveMQ hivemq =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(Files.createDirectories(workDir.resolve("data")))
              .withExtensionsFolder(Files.createDirectories(workDir.resolve("extensions")))
              .withoutLoggingBootstrap()
              .build();
      hivemq.start().join();
      return new EmbeddedBroker(hivemq, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's folders in " + workDir, e);
    }
  }

  String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public void close() throws Exception {
    hivemq.stop().join();
    hivemq.close();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
