package dev.moe2.gating.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.gating.data.DataFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateTrainerTest {

  private static final List<String> EXPERTS = List.of("a", "b", "c");

  /** Embeddings on the unit sphere; expert e's true quality is sigmoid(3 · x[e]). */
  private static List<float[]> inputs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> x = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[8];
      double norm = 0;
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (r.nextDouble() * 2 - 1);
        norm += v[j] * v[j];
      }
      for (int j = 0; j < v.length; j++) {
        v[j] /= (float) Math.sqrt(norm);
      }
      x.add(v);
    }
    return x;
  }

  private static double[][] targets(List<float[]> x) {
    double[][] y = new double[x.size()][EXPERTS.size()];
    for (int i = 0; i < x.size(); i++) {
      for (int e = 0; e < EXPERTS.size(); e++) {
        y[i][e] = Gate.sigmoid(3 * x.get(i)[e]);
      }
    }
    return y;
  }

  @Test
  void train_learnableSoftTargets_predictsHeldOutQualitiesClosely() {
    List<float[]> x = inputs(2_000, 1);
    GateTrainer.Result result =
        GateTrainer.defaults(7).train(x, targets(x), EXPERTS, "test-encoder");
    List<float[]> test = inputs(300, 2);
    double[][] truth = targets(test);

    double error = 0;
    for (int i = 0; i < test.size(); i++) {
      double[] q = result.gate().predict(test.get(i));
      for (int e = 0; e < q.length; e++) {
        error += Math.abs(q[e] - truth[i][e]);
      }
    }
    error /= test.size() * EXPERTS.size();

    assertThat(error).as("mean absolute error of q").isLessThan(0.05);
    assertThat(result.report().bestEpoch()).isPositive();
  }

  @Test
  void train_sameSeedTwice_givesTheSameGate() {
    List<float[]> x = inputs(300, 3);
    GateTrainer trainer = new GateTrainer(16, 1e-2, 32, 20, 5, 0.2, 0, 11);

    Gate a = trainer.train(x, targets(x), EXPERTS, "e").gate();
    Gate b = trainer.train(x, targets(x), EXPERTS, "e").gate();

    assertThat(b.predict(x.get(0))).containsExactly(a.predict(x.get(0)));
  }

  @Test
  void train_noisyTargets_stopsEarlyOnTheValidationSplit() {
    List<float[]> x = inputs(400, 4);
    SplittableRandom r = new SplittableRandom(5);
    double[][] noise = new double[x.size()][EXPERTS.size()];
    for (double[] row : noise) {
      for (int e = 0; e < row.length; e++) {
        row[e] = r.nextInt(2);
      }
    }

    GateTrainer.Report report =
        new GateTrainer(32, 1e-2, 32, 500, 5, 0.2, 0, 1).train(x, noise, EXPERTS, "e").report();

    assertThat(report.epochs()).isLessThan(500);
    assertThat(report.epochs() - report.bestEpoch()).isEqualTo(5);
  }

  @Test
  void saveThenLoad_sameEncoderAndExperts_predictsTheSame(@TempDir Path dir) {
    List<float[]> x = inputs(200, 6);
    Gate gate =
        new GateTrainer(8, 1e-2, 32, 5, 5, 0.2, 0, 1).train(x, targets(x), EXPERTS, "enc").gate();
    Path file = dir.resolve("gate.json");

    gate.save(file);
    Gate loaded = Gate.load(file, "enc", EXPERTS);

    for (float[] v : x.subList(0, 20)) {
      double[] expected = gate.predict(v);
      double[] actual = loaded.predict(v);
      for (int e = 0; e < expected.length; e++) {
        assertThat(actual[e]).isCloseTo(expected[e], org.assertj.core.api.Assertions.within(1e-6));
      }
    }
  }

  @Test
  void load_gateOfAnotherEncoder_failsNamingBoth(@TempDir Path dir) {
    List<float[]> x = inputs(50, 8);
    Path file = dir.resolve("gate.json");
    new GateTrainer(4, 1e-2, 16, 2, 2, 0.2, 0, 1)
        .train(x, targets(x), EXPERTS, "enc-a")
        .gate()
        .save(file);

    assertThatThrownBy(() -> Gate.load(file, "enc-b", EXPERTS))
        .isInstanceOf(DataFileException.class)
        .hasMessageContaining("key '$.encoderId'")
        .hasMessageContaining("'enc-a', not of 'enc-b'");
    assertThatThrownBy(() -> Gate.load(file, "enc-a", List.of("a", "b")))
        .hasMessageContaining("key '$.experts'");
  }

  @Test
  void predict_embeddingOfWrongSize_isRejected() {
    List<float[]> x = inputs(50, 9);
    Gate gate =
        new GateTrainer(4, 1e-2, 16, 2, 2, 0.2, 0, 1).train(x, targets(x), EXPERTS, "e").gate();

    assertThatThrownBy(() -> gate.predict(new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("embedding has 3 values; this gate takes 8");
  }
}
