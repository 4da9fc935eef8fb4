package dev.moe2.orchestrator.security;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiKeys;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The site's credentials as this orchestrator uses them: the state folder, the MQTT identities the
 * embedded broker checks, the API keys, and this orchestrator's own MQTT secret. With {@code
 * moe2.security.enabled=false} there are none, and a warning says so.
 */
@Singleton
public class SiteSecurity {

  private static final Logger LOG = Logger.getLogger(SiteSecurity.class);

  private final boolean enabled;
  private final Path stateDir;
  private final FleetCredentials fleet;
  private final ApiKeys keys;
  private final OrchestratorConfig config;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  SiteSecurity(OrchestratorConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.enabled = config.security().enabled();
    this.stateDir =
        config
            .security()
            .stateDir()
            .orElse(Path.of(System.getProperty("user.home"), ".local", "state", "moe2"))
            .toAbsolutePath();
    this.fleet = FleetCredentials.in(stateDir);
    this.keys = ApiKeys.in(stateDir);
    if (enabled) {
      fleet.list(); // a broken store stops start-up here, naming its file
      keys.list();
      LOG.infof("security on: credentials in %s", stateDir);
    } else {
      LOG.warn(
          "moe2.security.enabled=false: the MQTT broker accepts any client and the API needs no"
              + " key — anyone who can reach the ports can read prompts, forge replies and spend"
              + " the fleet's energy. For local experiments only.");
    }
  }

  /** The id of the API key a request came with (set by {@link ApiAccess}); null when none. */
  public static String keyIdOf(io.vertx.ext.web.RoutingContext rc) {
    Object id = rc == null ? null : rc.get(ApiAccess.KEY_ID);
    return id instanceof String s ? s : null;
  }

  public boolean enabled() {
    return enabled;
  }

  public Path stateDir() {
    return stateDir;
  }

  public FleetCredentials fleet() {
    return fleet;
  }

  public ApiKeys keys() {
    return keys;
  }

  public SecureRandom random() {
    return random;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * This orchestrator's MQTT password: {@code moe2.broker.password} when set; else, with the
   * embedded broker, the secret kept in the state folder (issued on the first start); else the kept
   * secret of an external broker's identity ({@code scripts/credentials add-orchestrator}).
   *
   * @throws IllegalStateException naming the keys and the file when an external broker needs one
   *     that is nowhere
   */
  public Optional<char[]> mqttPassword() {
    Optional<String> configured = config.broker().password();
    if (configured.isPresent() || !enabled) {
      return configured.map(String::toCharArray);
    }
    String id = config.orchestratorId();
    if (config.broker().embedded()) {
      return Optional.of(
          SecretFiles.ensure(
                  fleet,
                  stateDir,
                  new Acl.Identity(id, Acl.Role.ORCHESTRATOR),
                  random,
                  clock.instant())
              .toCharArray());
    }
    return Optional.of(
        SecretFiles.read(stateDir, id)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "config key 'moe2.broker.password': the external broker needs this"
                            + " orchestrator's secret (identity '"
                            + id
                            + "'); set it, or keep it in "
                            + SecretFiles.of(stateDir, id)
                            + " (scripts/credentials add-orchestrator "
                            + id
                            + " --keep)"))
            .toCharArray());
  }

  /** The MQTT user name: {@code moe2.broker.username}, else the orchestrator id when secured. */
  public Optional<String> mqttUsername() {
    Optional<String> configured = config.broker().username();
    if (configured.isPresent() || !enabled) {
      return configured;
    }
    return Optional.of(config.orchestratorId());
  }
}
