package dev.moe2.gating.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.gating.data.RouterDcDataset;
import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.gating.encoder.EmbeddingCache;
import dev.moe2.gating.encoder.MiniLmEncoder;
import dev.moe2.profiles.workload.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate on real prompts and real expert scores (a small slice of RouterDC MMLU + GSM8K, to keep
 * the suite fast): trained on train splits, it routes test prompts better than a random expert, and
 * a second pass over the same prompts is served from the embedding cache.
 */
class GateOnRouterDcTest {

  private static Path routerdc() {
    Path dir = SharedData.routerDc(SharedData.dir());
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("RouterDC data not found at " + dir);
    }
    return dir;
  }

  private static List<RouterDcRecord> slice(String file, int count) {
    List<RouterDcRecord> all = RouterDcDataset.load(routerdc().resolve(file));
    List<RouterDcRecord> out = new ArrayList<>();
    int stride = Math.max(1, all.size() / count);
    for (int i = 0; i < all.size() && out.size() < count; i += stride) {
      out.add(all.get(i));
    }
    return out;
  }

  @Test
  void gate_mmluAndGsm8kSlices_routesBetterThanARandomExpert(@TempDir Path cacheDir) {
    List<RouterDcRecord> train = new ArrayList<>(slice("mmlu_train.json", 300));
    train.addAll(slice("gsm8k-train.json", 300));
    List<RouterDcRecord> test = new ArrayList<>(slice("mmlu_test.json", 150));
    test.addAll(slice("gsm8k-test.json", 150));
    List<String> experts = List.copyOf(train.get(0).scores().keySet());

    try (MiniLmEncoder encoder = new MiniLmEncoder(2)) {
      EmbeddingCache cache = new EmbeddingCache(encoder, cacheDir);
      List<float[]> xTrain =
          cache.embed(train.stream().map(RouterDcRecord::question).toList(), null);
      List<float[]> xTest = cache.embed(test.stream().map(RouterDcRecord::question).toList(), null);
      double[][] y = new double[train.size()][experts.size()];
      for (int i = 0; i < train.size(); i++) {
        for (int e = 0; e < experts.size(); e++) {
          y[i][e] = Math.min(1, Math.max(0, train.get(i).scores().get(experts.get(e))));
        }
      }
      Gate gate = GateTrainer.defaults(1).train(xTrain, y, experts, encoder.id()).gate();

      double top1 = 0;
      double random = 0;
      for (int i = 0; i < test.size(); i++) {
        double[] q = gate.predict(xTest.get(i));
        int best = 0;
        for (int e = 1; e < q.length; e++) {
          if (q[e] > q[best]) {
            best = e;
          }
        }
        top1 += test.get(i).scores().get(experts.get(best));
        for (String e : experts) {
          random += test.get(i).scores().get(e) / experts.size();
        }
      }
      top1 /= test.size();
      random /= test.size();

      assertThat(top1)
          .as("gate top-1 mean score vs random %.3f", random)
          .isGreaterThan(random + 0.04);
      int before = cache.size();
      EmbeddingCache reopened = new EmbeddingCache(encoder, cacheDir);
      assertThat(reopened.size()).as("embeddings read back from disk").isEqualTo(before);
    }
  }
}
