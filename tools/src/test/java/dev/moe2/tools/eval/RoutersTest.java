package dev.moe2.tools.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.moe2.gating.data.RouterDcRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutersTest {

  private static Split split(boolean multipleChoice, double[][] y, List<float[]> x) {
    List<RouterDcRecord> records =
        java.util.stream.IntStream.range(0, y.length)
            .mapToObj(i -> new RouterDcRecord("q" + i, Map.of("a", 0.0)))
            .toList();
    return new Split("t", "knowledge", multipleChoice, records, x, y);
  }

  @Test
  void randomOracleAndSingle_areMeanMaxAndColumn() {
    Split s =
        split(
            true,
            new double[][] {{0.0, 1.0, 0.5}, {0.2, 0.0, 0.0}},
            List.of(new float[1], new float[1]));

    assertThat(Routers.random(s)).containsExactly(0.5, 0.2 / 3);
    assertThat(Routers.oracle(s)).containsExactly(1.0, 0.2);
    assertThat(Routers.single(s, 2)).containsExactly(0.5, 0.0);
  }

  @Test
  void knn_nearestNeighbourScores_pickTheirBestExpert() {
    List<float[]> trainX = List.of(new float[] {1, 0}, new float[] {0, 1});
    double[][] trainY = {{1, 0}, {0, 1}};
    Split s = split(true, new double[][] {{0.3, 0.9}}, List.of(new float[] {0.1f, 0.99f}));

    assertThat(Routers.knn(s, trainX, trainY, 1)).containsExactly(0.9);
  }

  @Test
  void topIndices_breaksTiesByLowerIndex() {
    assertThat(Routers.topIndices(new double[] {0.5, 0.9, 0.9, 0.1}, 3)).containsExactly(1, 2, 0);
  }

  @Test
  void expectedCalibrationError_binsPredictionsAgainstMeanScores() {
    double[][] y = {{1, 0}, {0, 1}};
    List<float[]> x = List.of(new float[] {1}, new float[] {1});
    Split s = split(true, y, x);
    dev.moe2.gating.gate.Gate gate =
        new dev.moe2.gating.gate.GateTrainer(2, 1e-2, 4, 1, 1, 0.5, 0, 1)
            .train(
                java.util.Collections.nCopies(20, new float[] {0f}),
                java.util.stream.IntStream.range(0, 20)
                    .mapToObj(i -> new double[] {0.5, 0.5})
                    .toArray(double[][]::new),
                List.of("a", "b"),
                "e")
            .gate();
    double[] q = gate.predict(new float[] {1});
    // Each expert's q is the same on both prompts, and each expert is right on one of the two.
    boolean sameBin = (int) (q[0] * 10) == (int) (q[1] * 10);
    double expected =
        sameBin
            ? Math.abs((q[0] + q[1]) / 2 - 0.5)
            : (Math.abs(q[0] - 0.5) + Math.abs(q[1] - 0.5)) / 2;

    assertThat(Routers.expectedCalibrationError(List.of(s), gate))
        .isCloseTo(expected, within(1e-9));
  }
}
