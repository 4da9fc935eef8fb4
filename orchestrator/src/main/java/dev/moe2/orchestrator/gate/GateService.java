package dev.moe2.orchestrator.gate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.recipe.GateRecipe;
import dev.moe2.gating.recipe.TrainedGate;
import dev.moe2.gating.recipe.TrainingSet;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The gate of the request path: the prompt encoder, q(x) per expert shrunk toward the category's
 * prior, and the category predictor. Construction does no work; at start-up the gate is loaded from
 * {@code moe2.gate.dir} (as {@code scripts/train-gate} or {@code scripts/eval-routing} write it),
 * or, when that folder holds none, trained by the {@link GateRecipe} on a background thread and
 * saved there. Until then {@link #ready()} is false: readiness is down and requests get 503 {@code
 * gate-not-ready}.
 */
@Singleton
public class GateService {

  private static final Logger LOG = Logger.getLogger(GateService.class);

  private final OrchestratorConfig config;
  private final MiniLmEncoder encoder;

  /**
   * Prompts seen again (retries, popular questions) are not embedded twice; null when {@code
   * moe2.gate.embedding-cache-size} is 0.
   */
  private final Cache<String, float[]> embeddings;

  /**
   * Embeddings computed at once: {@code moe2.gate.encoder-runs} (one per core by default), the
   * earliest deadline first. Unbounded, a burst of requests would run hundreds of single-threaded
   * ONNX sessions side by side, each as slow as all together, and every request would spend its
   * delay budget before dispatch; bounded, the first requests are embedded and dispatched at once,
   * and a tight budget does not wait behind a loose one.
   */
  private final EarliestDeadlineSlots encoding;

  private volatile TrainedGate gate;
  private volatile String status = "not started";
  private volatile Thread training;

  GateService(OrchestratorConfig config, io.micrometer.core.instrument.MeterRegistry metrics) {
    this.config = config;
    this.encoder = new MiniLmEncoder(1, 1, config.gate().encoderMaxTokens());
    int runs = config.gate().encoderRuns().orElse(Runtime.getRuntime().availableProcessors());
    if (runs < 1) {
      throw new IllegalArgumentException(
          "moe2.gate.encoder-runs has value " + runs + ": it must be >= 1");
    }
    this.encoding = new EarliestDeadlineSlots(runs);
    int size = config.gate().embeddingCacheSize();
    if (size == 0) {
      this.embeddings = null;
      LOG.info("embedding cache off (moe2.gate.embedding-cache-size=0): every prompt is embedded");
    } else {
      this.embeddings = Caffeine.newBuilder().maximumSize(size).recordStats().build();
      // cache_gets_total{cache="moe2-embeddings",result="hit"|"miss"}, cache_size, evictions
      io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(
          metrics, embeddings, "moe2-embeddings");
    }
  }

  void onStart(@Observes StartupEvent event) {
    start();
  }

  /**
   * Loads the saved gate now, or starts training one in the background.
   *
   * @throws dev.moe2.profiles.workload.SharedDataMissingException when there is no saved gate and
   *     the RouterDC data is missing (names the path)
   */
  synchronized void start() {
    if (gate != null || training != null) {
      return;
    }
    Path dir = config.gate().dir();
    java.util.Optional<String> savedFor =
        GateRecipe.savedIn(dir)
            ? dev.moe2.gating.gate.Gate.encoderIdOf(dir.resolve(GateRecipe.GATE_FILE))
            : java.util.Optional.empty();
    if (savedFor.isPresent() && !savedFor.get().equals(encoder.id())) {
      LOG.warnf(
          "the gate in %s was trained on embeddings of '%s', not of '%s'"
              + " (moe2.gate.encoder-max-tokens=%d): training one for this encoder",
          dir.toAbsolutePath(), savedFor.get(), encoder.id(), config.gate().encoderMaxTokens());
    } else if (GateRecipe.savedIn(dir)) {
      TrainedGate loaded = TrainedGate.load(dir, encoder.id());
      warmUp();
      gate = loaded;
      status = "loaded from " + dir.toAbsolutePath();
      LOG.infof("gate loaded from %s (%d experts)", dir.toAbsolutePath(), gate.experts().size());
      return;
    }
    GateRecipe recipe =
        GateRecipe.reference(
            config.shared().dir(), config.gate().trainMaxPrompts(), config.gate().seed());
    status = "training";
    LOG.infof(
        "no gate in %s: training one on %s in the background (readiness is down until it is"
            + " saved there; scripts/train-gate does this ahead of time)",
        dir.toAbsolutePath(), recipe.routerDc());
    Thread t = new Thread(() -> train(recipe, dir), "moe2-gate-training");
    t.setDaemon(true);
    training = t;
    t.start();
  }

  private void train(GateRecipe recipe, Path dir) {
    try {
      TrainingSet set =
          recipe.trainingSet(new EmbeddingCache(encoder, config.gate().cacheDir()), (f, n) -> {});
      TrainedGate trained = recipe.train(set, encoder.id(), f -> {});
      trained.save(dir);
      warmUp();
      gate = trained;
      status = "trained on " + set.size() + " prompts, saved to " + dir.toAbsolutePath();
      LOG.infof("gate trained on %d prompts and saved to %s", set.size(), dir.toAbsolutePath());
    } catch (RuntimeException e) {
      status = "training failed: " + e.getMessage();
      LOG.error("gate training failed; requests stay refused (gate-not-ready)", e);
    }
  }

  /**
   * Runs the encoder a few times before readiness goes up, so the first requests do not pay for
   * class loading and the runtime's first passes out of their delay budgets.
   */
  private void warmUp() {
    for (int i = 0; i < 5; i++) {
      encoder.encode("warm-up " + i + ": which planet is the largest? A. Mars B. Jupiter");
    }
  }

  /** Whether the gate is loaded or trained: requests can be routed. */
  public boolean ready() {
    return gate != null;
  }

  /** What the gate is doing (for readiness): loaded, training, or why training failed. */
  public String status() {
    return status;
  }

  /** The experts q is over, as RouterDC names them (e.g. HuggingFaceH4/zephyr-7b-beta). */
  public List<String> experts() {
    return require().experts();
  }

  /**
   * The prompt's embedding: from the cache, or computed when one of the encoder's runs is free and
   * no request with an earlier {@code deadline} waits for one.
   */
  public float[] embed(String text, java.time.Instant deadline) {
    Cache<String, float[]> cache = embeddings;
    float[] cached = cache == null ? null : cache.getIfPresent(text);
    if (cached != null) {
      return cached;
    }
    float[] x = encoding.run(deadline, () -> encoder.encode(text));
    if (cache != null) {
      cache.put(text, x); // one lookup per request: the cache's hit and miss counts add up
    }
    return x;
  }

  /** q(x) per expert, shrunk toward {@code category}'s prior. */
  public double[] quality(float[] x, String category) {
    return require().quality(x, category);
  }

  public String category(float[] x) {
    return require().category(x);
  }

  private TrainedGate require() {
    TrainedGate g = gate;
    if (g == null) {
      throw new IllegalStateException("the gate is not ready: " + status);
    }
    return g;
  }

  void close(@Observes ShutdownEvent e) {
    Thread t = training;
    if (t != null) {
      t.interrupt();
    }
    encoder.close();
  }
}
