package dev.moe2.orchestrator.gate;

import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.gating.gate.CategoryPredictor;
import dev.moe2.gating.gate.CategoryPriors;
import dev.moe2.gating.gate.Gate;
import dev.moe2.gating.gate.GateTrainer;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The gate of the request path: the prompt encoder, q(x) per expert shrunk toward the category's
 * prior, and the category predictor. Loaded from {@code moe2.gate.dir} ({@code gate.json}, {@code
 * category-priors.json}, {@code category-predictor.json}, as {@code scripts/eval-routing} writes
 * them), or trained at start-up on the RouterDC train splits and saved there.
 */
@Singleton
public class GateService {

  private static final Logger LOG = Logger.getLogger(GateService.class);

  /** RouterDC train files and their categories. */
  static final String[][] TRAIN = {
    {"mmlu_train.json", "knowledge"},
    {"gsm8k-train.json", "math"},
    {"arc_challenge_train.json", "reasoning"},
    {"humaneval_train.json", "code"},
    {"arc_easy_train.json", "reasoning"}
  };

  private final MiniLmEncoder encoder = new MiniLmEncoder(1);

  /** Prompts seen again (retries, popular questions) are not embedded twice. */
  private final com.github.benmanes.caffeine.cache.Cache<String, float[]> embeddings =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(10_000)
          .recordStats()
          .build();

  private final Gate gate;
  private final CategoryPriors priors;
  private final CategoryPredictor predictor;

  GateService(OrchestratorConfig config) {
    Path dir = config.gate().dir();
    Path g = dir.resolve("gate.json");
    Path p = dir.resolve("category-priors.json");
    Path c = dir.resolve("category-predictor.json");
    if (Files.isRegularFile(g) && Files.isRegularFile(p) && Files.isRegularFile(c)) {
      gate = Gate.load(g, encoder.id(), null);
      priors = CategoryPriors.load(p, gate.experts());
      predictor = new CategoryPredictor(Gate.load(c, encoder.id(), null));
      LOG.infof("gate loaded from %s (%d experts)", dir.toAbsolutePath(), gate.experts().size());
      return;
    }
    Path data = config.shared().dir().resolve("routing/routerdc/split2_model7");
    if (!Files.isDirectory(data)) {
      throw new IllegalStateException(
          "config key 'moe2.shared.dir': RouterDC data not found at " + data.toAbsolutePath());
    }
    LOG.infof("no gate in %s: training one on %s (once; saved there)", dir.toAbsolutePath(), data);
    EmbeddingCache cache = new EmbeddingCache(encoder, config.gate().cacheDir());
    List<float[]> x = new ArrayList<>();
    List<double[]> y = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<String> experts = null;
    int max = config.gate().trainMaxPrompts();
    for (String[] t : TRAIN) {
      List<RouterDcRecord> records = RouterDcDataset.load(data.resolve(t[0]));
      if (max > 0 && records.size() > max) {
        List<RouterDcRecord> some = new ArrayList<>();
        int stride = records.size() / max;
        for (int i = 0; i < records.size() && some.size() < max; i += stride) {
          some.add(records.get(i));
        }
        records = some;
      }
      if (experts == null) {
        experts = records.get(0).scores().keySet().stream().sorted().toList();
      }
      x.addAll(cache.embed(records.stream().map(RouterDcRecord::question).toList(), n -> {}));
      for (RouterDcRecord r : records) {
        double[] row = new double[experts.size()];
        for (int e = 0; e < row.length; e++) {
          Double s = r.scores().get(experts.get(e));
          row[e] = s == null ? 0 : s;
        }
        y.add(row);
        labels.add(t[1]);
      }
    }
    double[][] ys = y.toArray(double[][]::new);
    long seed = config.gate().seed();
    gate = GateTrainer.defaults(seed).train(x, ys, experts, encoder.id()).gate();
    priors =
        CategoryPriors.fitOutOfFold(
            GateTrainer.defaults(seed), x, ys, labels, experts, encoder.id(), 5, f -> {});
    predictor =
        CategoryPredictor.train(
            GateTrainer.defaults(seed),
            x,
            labels,
            List.of("knowledge", "math", "reasoning", "code"),
            encoder.id());
    gate.save(g);
    priors.save(p);
    predictor.network().save(c);
    LOG.infof("gate trained on %d prompts and saved to %s", x.size(), dir.toAbsolutePath());
  }

  /** The experts q is over, as RouterDC names them (e.g. HuggingFaceH4/zephyr-7b-beta). */
  public List<String> experts() {
    return gate.experts();
  }

  public float[] embed(String text) {
    return embeddings.get(text, encoder::encode);
  }

  /** Share of embeddings served from the cache so far. */
  public double embeddingHitRate() {
    return embeddings.stats().hitRate();
  }

  /** q(x) per expert, shrunk toward {@code category}'s prior. */
  public double[] quality(float[] x, String category) {
    return priors.shrink(category, gate.predict(x));
  }

  public String category(float[] x) {
    return predictor.predict(x);
  }

  void close(@Observes ShutdownEvent e) {
    encoder.close();
  }
}
