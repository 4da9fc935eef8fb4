package dev.moe2.orchestrator.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * The MQTT broker the fleet talks through: by default an embedded HiveMQ CE bound to 127.0.0.1 (one
 * machine needs nothing else); with {@code moe2.broker.embedded=false}, an external broker at
 * {@code moe2.broker.uri}.
 */
@Singleton
public class BrokerService {

  private static final Logger LOG = Logger.getLogger(BrokerService.class);

  private final OrchestratorConfig.Broker config;
  private EmbeddedHiveMQ hivemq;
  private final String uri;

  BrokerService(OrchestratorConfig config) {
    this.config = config.broker();
    if (this.config.embedded()) {
      start();
      uri = "tcp://127.0.0.1:" + this.config.port();
    } else {
      uri =
          this.config
              .uri()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "config key 'moe2.broker.uri': required when moe2.broker.embedded=false"));
    }
  }

  /** The URI clients connect to. */
  public String uri() {
    return uri;
  }

  public boolean embedded() {
    return config.embedded();
  }

  private void start() {
    try {
      Path dir =
          config.dataDir().isPresent()
              ? Files.createDirectories(config.dataDir().get())
              : Files.createTempDirectory("moe2-hivemq");
      Path conf = Files.createDirectories(dir.resolve("conf"));
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
              .formatted(config.port()),
          StandardCharsets.UTF_8);
      hivemq =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(Files.createDirectories(dir.resolve("data")))
              .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
              .withoutLoggingBootstrap()
              .build();
      hivemq.start().join();
      LOG.infof("embedded MQTT broker (HiveMQ CE) listening on 127.0.0.1:%d", config.port());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the embedded broker's folders", e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot start the embedded broker on 127.0.0.1:"
              + config.port()
              + " (is the port taken? set moe2.broker.port): "
              + e.getMessage(),
          e);
    }
  }

  /** Last: the orchestrator's own client has disconnected ({@link FleetLink#STOP}) before. */
  static final int STOP = 5000;

  void stop(@Observes @Priority(STOP) ShutdownEvent event) {
    if (hivemq != null) {
      try {
        hivemq.stop().join();
        hivemq.close();
      } catch (Exception e) {
        LOG.warn("embedded broker did not stop cleanly", e);
      }
      hivemq = null;
    }
  }
}
