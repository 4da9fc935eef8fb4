package dev.moe2.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.hibernate.validator.constraints.time.DurationMin;

/**
 * All of the orchestrator's settings (prefix {@code moe2}), each declared and defaulted here only,
 * and validated at start-up: an invalid value stops the service with the key and the reason.
 */
@ConfigMapping(prefix = "moe2")
public interface OrchestratorConfig {

  Shared shared();

  /** {@code moe2.orchestrator-id}: this replica's id, its replies topic and MQTT client id. */
  @WithDefault("orch-1")
  @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}", message = "must be 1-63 of a-z, 0-9 and '-'")
  String orchestratorId();

  Broker broker();

  Gate gate();

  Planning planning();

  Requests requests();

  Security security();

  /** The shared data. */
  interface Shared {
    /**
     * {@code moe2.shared.dir}: the shared data folder (RouterDC scores for planning and the gate),
     * as in every module's build.
     */
    @WithDefault("../shared")
    Path dir();
  }

  /** The MQTT broker: embedded HiveMQ CE on 127.0.0.1, or an external one. */
  interface Broker {
    /** {@code moe2.broker.embedded}: start the embedded broker (else connect to {@link #uri()}). */
    @WithDefault("true")
    boolean embedded();

    /** {@code moe2.broker.port}: port of the embedded broker on 127.0.0.1 (0: a free one). */
    @WithDefault("1883")
    @Min(0)
    @Max(65535)
    int port();

    /**
     * {@code moe2.broker.uri}: an external broker, e.g. tcp://broker.lan:1883 or ssl://…; required
     * when not embedded, ignored when embedded.
     */
    Optional<
            @Pattern(
                regexp = "(tcp|ssl)://.+",
                message = "must be tcp://host:port or ssl://host:port")
            String>
        uri();

    /** {@code moe2.broker.username}: the MQTT user name, when the broker wants one. */
    Optional<String> username();

    /** {@code moe2.broker.password}: the MQTT password (never logged). */
    Optional<String> password();

    /** {@code moe2.broker.data-dir}: the embedded broker's data (a temporary folder when unset). */
    Optional<Path> dataDir();

    /** {@code moe2.broker.keep-alive-s}: MQTT keep-alive, seconds. */
    @WithDefault("2")
    @Min(1)
    @Max(65535)
    int keepAliveS();

    Tls tls();
  }

  /**
   * The embedded broker's TLS listener for agents on other machines (the plain listener stays on
   * 127.0.0.1); {@code scripts/site-ca} makes its keystore.
   */
  interface Tls {
    /** {@code moe2.broker.tls.port}: the TLS listener's port; unset: no TLS listener. */
    Optional<@Min(1) @Max(65535) Integer> port();

    /** {@code moe2.broker.tls.bind-address}: where it listens (the network, by default). */
    @WithDefault("0.0.0.0")
    String bindAddress();

    /** {@code moe2.broker.tls.keystore}: the broker's key and certificate (PKCS#12). */
    Optional<Path> keystore();

    /**
     * {@code moe2.broker.tls.keystore-password}: its password; else the file {@code password} next
     * to the keystore, as {@code scripts/site-ca} writes it.
     */
    Optional<String> keystorePassword();

    /**
     * {@code moe2.broker.tls.client-auth}: client certificates (mutual TLS): {@code none}; {@code
     * optional} (a client that shows one must show one the site CA signed, with CN = its user
     * name); {@code required} (every client on the TLS listener). The secret is checked as well.
     */
    @WithDefault("none")
    ClientAuth clientAuth();

    /**
     * {@code moe2.broker.tls.truststore}: the CA client certificates must chain to (PKCS#12); the
     * file {@code truststore.p12} beside the keystore when unset.
     */
    Optional<Path> truststore();
  }

  /** Client certificates on the broker's TLS listener. */
  enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRED
  }

  /** The gate: loaded from {@code dir}, or trained at start-up (readiness down) and saved there. */
  interface Gate {
    /** {@code moe2.gate.dir}: where the gate files are (as {@code scripts/train-gate} writes). */
    @WithDefault("target/moe2-gate")
    Path dir();

    /** {@code moe2.gate.cache-dir}: the embedding cache used when training. */
    @WithDefault("target/moe2-embeddings")
    Path cacheDir();

    /**
     * {@code moe2.gate.train-max-prompts}: train on at most this many prompts per file (0: all).
     */
    @WithDefault("0")
    @Min(0)
    int trainMaxPrompts();

    /**
     * {@code moe2.gate.encoder-max-tokens}: prompts are truncated to this many tokens before they
     * are embedded (8 to 256). 128 embeds ~40 % faster than 256 with the same routing on the
     * RouterDC test splits (ADR 0018); a gate saved for another truncation is retrained.
     */
    @WithDefault("" + dev.moe2.gating.encoder.MiniLmEncoder.SERVICE_MAX_TOKENS)
    @Min(8)
    @Max(dev.moe2.gating.encoder.MiniLmEncoder.MAX_TOKENS)
    int encoderMaxTokens();

    /** {@code moe2.gate.seed}: the training seed. */
    @WithDefault("1")
    long seed();

    /**
     * {@code moe2.gate.embedding-cache-size}: prompts whose embeddings are kept in memory, so a
     * prompt seen again (a retry, a popular question) is not embedded twice; 0 turns the cache off
     * (no prompt text is held after its request).
     */
    @WithDefault("10000")
    @Min(0)
    int embeddingCacheSize();

    /**
     * {@code moe2.gate.encoder-runs}: prompts embedded at once, each a single-threaded ONNX Runtime
     * run; further requests wait their turn, first come first served (ADR 0018). Default: one per
     * core.
     */
    @Min(1)
    java.util.OptionalInt encoderRuns();
  }

  /** Planning. */
  interface Planning {
    /**
     * {@code moe2.planning.categories}: a categories file (budgets, k, weights); the built-in
     * reference set when unset.
     */
    Optional<Path> categories();

    /** {@code moe2.planning.max-prompts}: validation prompts per category for the qualities. */
    @WithDefault("300")
    @Min(1)
    int maxPrompts();

    /**
     * {@code moe2.planning.drift-threshold}: relative change of measured decode time per token that
     * counts as drift (re-plan).
     */
    @WithDefault("0.25")
    @Positive
    double driftThreshold();

    /**
     * {@code moe2.planning.drift-agreement}: consecutive profile reports that must drift the same
     * way before the plan follows (trust, but verify: one report, true or forged, does not switch a
     * device off; the plan then takes the least extreme of them).
     */
    @WithDefault("2")
    @Min(1)
    int driftAgreement();

    /**
     * {@code moe2.planning.slowdown-expiry}: how long a measured slowdown stands without a profile
     * report that carries samples; then the agent is planned at its device profile's speed again
     * (the re-admission rule of the contract), so a device planned out for being slow can show it
     * has recovered.
     */
    @WithDefault("10m")
    @DurationMin(seconds = 1)
    Duration slowdownExpiry();

    /** {@code moe2.planning.history}: plans kept for {@code /api/plans}. */
    @WithDefault("50")
    @Min(1)
    int history();

    /**
     * {@code moe2.planning.time-budget}: how long one live re-plan may search for the proven
     * optimum; when cut, the best plan found is served with its proven gap (Timefold tries too).
     */
    @WithDefault("1s")
    @DurationMin(millis = 1)
    Duration timeBudget();

    /**
     * {@code moe2.planning.lease-ttl}: how long the planning lease (one planner among the replicas
     * sharing a database) lasts without renewal; a replica takes over planning within about this
     * time after the planner dies. Renewed every third of it.
     */
    @WithDefault("5s")
    @DurationMin(millis = 300)
    Duration leaseTtl();
  }

  /** The request path. */
  interface Requests {
    /** {@code moe2.requests.max-body-kib}: request bodies above this many KiB are refused (413). */
    @WithDefault("256")
    @Min(1)
    int maxBodyKib();

    /**
     * {@code moe2.requests.decision-retention}: how long the database keeps each decision for
     * {@code /api/usage/decisions} (the ledger's hourly sums are kept).
     */
    @WithDefault("30d")
    @DurationMin(minutes = 1)
    Duration decisionRetention();

    /** {@code moe2.requests.decisions}: decisions kept for {@code /api/decisions}. */
    @WithDefault("500")
    @Min(1)
    int decisions();

    /**
     * {@code moe2.requests.min-output-tokens}: the least output an expert must be able to produce
     * within the request's budgets to be chosen (capped at the request's own length).
     */
    @WithDefault("8")
    @Min(0)
    int minOutputTokens();

    /**
     * {@code moe2.requests.device-slots}: requests one agent runs at once when its birth does not
     * say ({@code maxConcurrent}); beyond them, dispatches wait for a slot, and the predicted wait
     * is part of each expert's worst case.
     */
    @WithDefault("4")
    @Min(1)
    int deviceSlots();

    /**
     * {@code moe2.requests.length-aware}: judge each request's budgets by its real prompt (counted
     * with the model's tokenizer) and its max_tokens, cap each expert's output and send the agent
     * its energy cap (default). {@code false} restores the earlier behaviour — worst cases at the
     * category's planned lengths, no caps — for comparisons only: answers may then break their
     * budgets, and a warning says so at start-up.
     */
    @WithDefault("true")
    boolean lengthAware();

    /**
     * {@code moe2.requests.reply-margin-ms}: the agents' deadline is this much before the end of a
     * request's delay budget, for the answer's way back, its handling and the 50 ms the
     * orchestrator waits past a deadline; worst cases must fit in what is left.
     */
    @WithDefault("60")
    @Min(0)
    int replyMarginMs();

    /**
     * {@code moe2.requests.timing-margin}: worst-case compute times are this share longer than the
     * rates say (the profiling error method.md C5 allows for; 0.1 = 10 %).
     */
    @WithDefault("0.1")
    @jakarta.validation.constraints.DecimalMin("0")
    double timingMargin();

    /** {@code moe2.requests.token-cache}: prompt token counts kept (per tokenizer family). */
    @WithDefault("4096")
    @Min(16)
    int tokenCache();
  }

  /** Who may reach the broker and the API (docs/security.md). */
  interface Security {
    /**
     * {@code moe2.security.enabled}: the broker authenticates every client and enforces the
     * contract's ACL, and the API wants a key with the right role (default). {@code false} is for
     * local experiments only: anyone who reaches the ports can do anything, and a warning says so
     * at start-up.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * {@code moe2.security.state-dir}: the site's credentials (MQTT identities, API keys, this
     * orchestrator's own MQTT secret); {@code ~/.local/state/moe2} when unset. Never in the
     * repository.
     */
    Optional<Path> stateDir();

    /** {@code moe2.security.requests-per-second}: each API key's sustained request rate. */
    @WithDefault("50")
    @Positive
    double requestsPerSecond();

    /** {@code moe2.security.burst}: requests one key may send at once above its rate. */
    @WithDefault("100")
    @Min(1)
    int burst();

    /** {@code moe2.security.max-concurrent}: requests of one key in progress at once. */
    @WithDefault("64")
    @Min(1)
    int maxConcurrent();
  }
}
