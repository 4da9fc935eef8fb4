package dev.moe2.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** All of the orchestrator's settings (prefix {@code moe2}); validated at start-up. */
@ConfigMapping(prefix = "moe2")
public interface OrchestratorConfig {

  Shared shared();

  /** This replica's id: its replies topic and MQTT client id. */
  @WithDefault("orch-1")
  String orchestratorId();

  Broker broker();

  Gate gate();

  Planning planning();

  Requests requests();

  /** The shared data folder ({@code moe2.shared.dir}, as in every module's build). */
  interface Shared {
    /** RouterDC scores for planning and the gate live under it. */
    @WithDefault("../shared")
    Path dir();
  }

  /** The MQTT broker: embedded HiveMQ CE on 127.0.0.1, or an external one. */
  interface Broker {
    /** Start the embedded broker (else connect to {@link #uri()}). */
    @WithDefault("true")
    boolean embedded();

    /** Port of the embedded broker on 127.0.0.1. */
    @WithDefault("1883")
    int port();

    /** An external broker, e.g. tcp://broker.lan:1883 or ssl://…; ignored when embedded. */
    Optional<String> uri();

    Optional<String> username();

    Optional<String> password();

    /** Where the embedded broker keeps its data (a temporary folder when unset). */
    Optional<Path> dataDir();

    @WithDefault("2")
    int keepAliveS();
  }

  /** The gate: loaded from {@code dir} or trained at start-up and saved there. */
  interface Gate {
    @WithDefault("target/moe2-gate")
    Path dir();

    @WithDefault("target/moe2-embeddings")
    Path cacheDir();

    /** Train on at most this many prompts per RouterDC train file (0: all). */
    @WithDefault("0")
    int trainMaxPrompts();

    @WithDefault("1")
    long seed();
  }

  /** Planning. */
  interface Planning {
    /** A categories file (budgets, k, weights); the built-in reference set when unset. */
    Optional<Path> categories();

    /** Validation prompts per category for the planner's qualities. */
    @WithDefault("300")
    int maxPrompts();

    /** Relative change of measured decode time per token that counts as drift (re-plan). */
    @WithDefault("0.25")
    double driftThreshold();

    /** Plans kept for /api/plans. */
    @WithDefault("50")
    int history();
  }

  /** The request path. */
  interface Requests {
    /** Request bodies above this many KiB are refused (413). */
    @WithDefault("256")
    int maxBodyKib();

    /** Decisions kept for /api/decisions. */
    @WithDefault("500")
    int decisions();
  }
}
