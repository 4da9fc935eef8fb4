package dev.moe2.gating.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.gating.data.DataFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CategoryPriorsTest {

  private static final List<String> EXPERTS = List.of("a", "b");

  /** Expert a is right 60 % of the time, b 50 %; {@code informative} says whether q knows which. */
  private static Map<String, double[][]>[] data(boolean informative, long seed, int n) {
    Random r = new Random(seed);
    double[][] y = new double[n][2];
    double[][] q = new double[n][2];
    for (int i = 0; i < n; i++) {
      y[i][0] = r.nextDouble() < 0.6 ? 1 : 0;
      y[i][1] = r.nextDouble() < 0.5 ? 1 : 0;
      q[i][0] = informative ? 0.2 + 0.6 * y[i][0] : r.nextDouble();
      q[i][1] = informative ? 0.2 + 0.6 * y[i][1] : r.nextDouble();
    }
    @SuppressWarnings("unchecked")
    Map<String, double[][]>[] out = new Map[] {Map.of("k", y), Map.of("k", q), Map.of("k", y)};
    return out;
  }

  @Test
  void fit_noiseGate_fallsBackToTheCategoryPrior() {
    var d = data(false, 1, 800);
    CategoryPriors p = CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]);

    assertThat(p.prior("k").orElseThrow().alpha()).isZero();
    assertThat(p.shrink("k", new double[] {0.0, 1.0})[0])
        .as("top-1 is the category's best expert whatever q says")
        .isGreaterThan(p.shrink("k", new double[] {0.0, 1.0})[1]);
  }

  @Test
  void fit_noiseGateOver200Seeds_keepsTheGateAtMostOneTimeInTen() {
    int kept = 0;
    for (long seed = 100; seed < 300; seed++) {
      var d = data(false, seed, 600);
      kept +=
          CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]).prior("k").orElseThrow().alpha() > 0
              ? 1
              : 0;
    }

    assertThat(kept).as("gates kept though q is noise, of 200").isLessThanOrEqualTo(20);
  }

  @Test
  void fit_significantButTinyGain_fallsBackToTheCategoryPrior() {
    // q knows the answer on 1 prompt in 100 and is silent (ties) elsewhere: a consistent gain of
    // about 0.2 points, significant on 20,000 prompts but below MIN_GAIN
    Random r = new Random(7);
    int n = 20_000;
    double[][] y = new double[n][2];
    double[][] q = new double[n][2];
    for (int i = 0; i < n; i++) {
      y[i][0] = r.nextDouble() < 0.6 ? 1 : 0;
      y[i][1] = r.nextDouble() < 0.5 ? 1 : 0;
      boolean knows = i % 100 == 0;
      q[i][0] = knows ? y[i][0] : 0.5;
      q[i][1] = knows ? y[i][1] + 0.5 * (1 - y[i][0]) : 0.5;
    }

    CategoryPriors p = CategoryPriors.fit(EXPERTS, Map.of("k", y), Map.of("k", q), Map.of("k", y));

    assertThat(p.prior("k").orElseThrow().alpha()).isZero();
  }

  @Test
  void fit_informativeGate_keepsTheGate() {
    var d = data(true, 2, 800);
    CategoryPriors p = CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]);

    assertThat(p.prior("k").orElseThrow().alpha()).isGreaterThan(0);
    double[] shrunk = p.shrink("k", new double[] {0.2, 0.8});
    assertThat(shrunk[1]).as("q's choice survives the shrinkage").isGreaterThan(shrunk[0]);
    assertThat(p.prior("k").orElseThrow().prior()[0])
        .isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.05));
  }

  @Test
  void shrink_unknownCategory_returnsQUnchanged() {
    var d = data(true, 3, 100);
    double[] q = {0.3, 0.7};
    assertThat(CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]).shrink("other", q)).isSameAs(q);
  }

  @Test
  void saveLoad_roundTrip_keepsAlphasAndPriors(@TempDir Path dir) {
    var d = data(true, 4, 400);
    CategoryPriors p = CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]);
    Path file = dir.resolve("priors.json");
    p.save(file);

    CategoryPriors back = CategoryPriors.load(file, EXPERTS);
    assertThat(back.prior("k").orElseThrow().alpha()).isEqualTo(p.prior("k").orElseThrow().alpha());
    assertThat(back.prior("k").orElseThrow().prior())
        .containsExactly(p.prior("k").orElseThrow().prior());
  }

  @Test
  void load_otherExpertsOrBadAlpha_namesFileKeyAndReason(@TempDir Path dir) throws Exception {
    var d = data(true, 5, 100);
    Path file = dir.resolve("priors.json");
    CategoryPriors.fit(EXPERTS, d[0], d[1], d[2]).save(file);

    assertThatThrownBy(() -> CategoryPriors.load(file, List.of("a", "c")))
        .isInstanceOf(DataFileException.class)
        .hasMessageContaining("$.experts")
        .hasMessageContaining(file.toString());

    Files.writeString(
        file,
        "{\"formatVersion\":1,\"experts\":[\"a\",\"b\"],\"categories\":{\"k\":{\"alpha\":2,\"prior\":[0.1,0.2]}}}");
    assertThatThrownBy(() -> CategoryPriors.load(file, EXPERTS))
        .isInstanceOf(DataFileException.class)
        .hasMessageContaining("$.categories.k.alpha");
  }
}
