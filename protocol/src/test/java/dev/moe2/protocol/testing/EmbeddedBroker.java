package dev.moe2.protocol.testing;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For tests: a HiveMQ CE broker on 127.0.0.1 and a free port, in-memory, with no usage statistics.
 * It can be stopped and started again on the same port (a broker restart; retained messages are
 * lost with in-memory persistence unless {@code persistent} is set).
 */
public final class EmbeddedBroker implements AutoCloseable {

  private final Path workDir;
  private final int port;
  private final boolean persistent;
  private final com.hivemq.embedded.EmbeddedExtension extension;
  private EmbeddedHiveMQ hivemq;

  private EmbeddedBroker(
      Path workDir, int port, boolean persistent, com.hivemq.embedded.EmbeddedExtension extension) {
    this.workDir = workDir;
    this.port = port;
    this.persistent = persistent;
    this.extension = extension;
  }

  /** Starts an in-memory broker with an embedded extension (e.g. an authorizer). */
  public static EmbeddedBroker start(
      Path workDir, com.hivemq.embedded.EmbeddedExtension extension) {
    EmbeddedBroker broker = new EmbeddedBroker(workDir, freePort(), false, extension);
    broker.start();
    return broker;
  }

  /** Starts an in-memory broker with its folders under {@code workDir}. */
  public static EmbeddedBroker start(Path workDir) {
    return start(workDir, false);
  }

  /**
   * Starts a broker with its folders under {@code workDir}.
   *
   * @param persistent keep retained messages and sessions on disk, so they survive a restart
   */
  public static EmbeddedBroker start(Path workDir, boolean persistent) {
    EmbeddedBroker broker = new EmbeddedBroker(workDir, freePort(), persistent, null);
    broker.start();
    return broker;
  }

  /** Starts the broker (again) on its port. */
  public synchronized void start() {
    if (hivemq != null) {
      return;
    }
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
            <persistence><mode>%s</mode></persistence>
            <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
          </hivemq>
          """
              .formatted(port, persistent ? "file" : "in-memory"),
          StandardCharsets.UTF_8);
      var builder =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(Files.createDirectories(workDir.resolve("data")))
              .withExtensionsFolder(Files.createDirectories(workDir.resolve("extensions")))
              .withoutLoggingBootstrap();
      if (extension != null) {
        builder = builder.withEmbeddedExtension(extension);
      }
      EmbeddedHiveMQ broker = builder.build();
      broker.start().join();
      hivemq = broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's folders in " + workDir, e);
    }
  }

  /** Stops the broker; clients see their connection drop. */
  public synchronized void stop() {
    if (hivemq == null) {
      return;
    }
    try {
      hivemq.stop().join();
      hivemq.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded broker on port " + port, e);
    } finally {
      hivemq = null;
    }
  }

  public String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
