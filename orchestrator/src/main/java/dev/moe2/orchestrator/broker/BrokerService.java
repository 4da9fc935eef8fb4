package dev.moe2.orchestrator.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.security.SiteSecurity;
import dev.moe2.security.hivemq.FleetAccessExtension;
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
 * machine needs nothing else) that authenticates every client against the site's identities and
 * enforces the contract's ACL ({@link FleetAccessExtension}); with {@code
 * moe2.broker.embedded=false}, an external broker at {@code moe2.broker.uri}.
 */
@Singleton
public class BrokerService {

  private static final Logger LOG = Logger.getLogger(BrokerService.class);

  private final OrchestratorConfig.Broker config;
  private EmbeddedHiveMQ hivemq;
  private final String uri;

  private final SiteSecurity security;

  BrokerService(OrchestratorConfig config, SiteSecurity security) {
    this.config = config.broker();
    this.security = security;
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
              </tcp-listener>%s
            </listeners>
            <persistence><mode>in-memory</mode></persistence>
            <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
          </hivemq>
          """
              .formatted(config.port(), tlsListener()),
          StandardCharsets.UTF_8);
      if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        // it may hold the keystore's password
        Files.setPosixFilePermissions(
            conf.resolve("config.xml"),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
      if (config.tls().port().isPresent() && !security.enabled()) {
        LOG.warnf(
            "the embedded broker's TLS listener on %s:%d accepts ANY client:"
                + " moe2.security.enabled=false",
            config.tls().bindAddress(), config.tls().port().get());
      }
      var builder =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(Files.createDirectories(dir.resolve("data")))
              .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
              .withoutLoggingBootstrap();
      if (security.enabled()) {
        builder.withEmbeddedExtension(FleetAccessExtension.embedded(security.fleet()));
      }
      hivemq = builder.build();
      hivemq.start().join();
      LOG.infof(
          "embedded MQTT broker (HiveMQ CE) listening on 127.0.0.1:%d, %s",
          config.port(),
          security.enabled()
              ? "every client authenticated, the contract's ACL enforced"
              : "WITHOUT authentication (moe2.security.enabled=false)");
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

  /** The TLS listener's XML, or nothing when {@code moe2.broker.tls.port} is unset. */
  private String tlsListener() throws IOException {
    OrchestratorConfig.Tls tls = config.tls();
    if (tls.port().isEmpty()) {
      return "";
    }
    Path keystore =
        tls.keystore()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "config key 'moe2.broker.tls.keystore': required when"
                            + " moe2.broker.tls.port is set (scripts/site-ca makes broker.p12)"))
            .toAbsolutePath();
    if (!Files.isReadable(keystore)) {
      throw new IllegalStateException(
          "config key 'moe2.broker.tls.keystore': cannot read " + keystore);
    }
    Path passwordFile = keystore.resolveSibling("password");
    String password;
    if (tls.keystorePassword().isPresent()) {
      password = tls.keystorePassword().get();
    } else if (Files.isReadable(passwordFile)) {
      password = Files.readString(passwordFile).strip();
    } else {
      throw new IllegalStateException(
          "config key 'moe2.broker.tls.keystore-password': required (or a file "
              + passwordFile
              + ")");
    }
    String clientAuth = "";
    if (tls.clientAuth() != OrchestratorConfig.ClientAuth.NONE) {
      Path truststore =
          tls.truststore().orElse(keystore.resolveSibling("truststore.p12")).toAbsolutePath();
      if (!Files.isReadable(truststore)) {
        throw new IllegalStateException(
            "config key 'moe2.broker.tls.truststore': cannot read "
                + truststore
                + " (needed for moe2.broker.tls.client-auth="
                + tls.clientAuth().name().toLowerCase(java.util.Locale.ROOT)
                + ")");
      }
      clientAuth =
          """
                  <truststore>
                    <path>%s</path>
                    <password>%s</password>
                  </truststore>
                  <client-authentication-mode>%s</client-authentication-mode>"""
              .formatted(xml(truststore.toString()), xml(password), tls.clientAuth().name());
    }
    LOG.infof(
        "embedded broker: TLS listener on %s:%d with %s, client certificates %s",
        tls.bindAddress(),
        tls.port().get(),
        keystore,
        tls.clientAuth().name().toLowerCase(java.util.Locale.ROOT));
    return """

              <tls-tcp-listener>
                <port>%d</port>
                <bind-address>%s</bind-address>
                <tls>
                  <keystore>
                    <path>%s</path>
                    <password>%s</password>
                    <private-key-password>%s</private-key-password>
                  </keystore>%s
                  <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
                </tls>
              </tls-tcp-listener>"""
        .formatted(
            tls.port().get(),
            xml(tls.bindAddress()),
            xml(keystore.toString()),
            xml(password),
            xml(password),
            clientAuth);
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
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
