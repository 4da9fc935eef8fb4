package dev.moe2.gating.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CategoryPredictorTest {

  @Test
  void train_separableClusters_predictsHeldOutCategories() {
    List<String> categories = List.of("knowledge", "math", "code");
    SplittableRandom r = new SplittableRandom(3);
    List<float[]> x = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      int c = i % 3;
      float[] v = new float[6];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (r.nextDouble() * 0.6 - 0.3);
      }
      v[c] += 1; // each category has its own direction
      x.add(v);
      labels.add(categories.get(c));
    }
    CategoryPredictor p =
        CategoryPredictor.train(
            GateTrainer.defaults(2), x.subList(0, 450), labels.subList(0, 450), categories, "e");

    int right = 0;
    for (int i = 450; i < 600; i++) {
      if (p.predict(x.get(i)).equals(labels.get(i))) {
        right++;
      }
    }
    assertThat(right / 150.0).isGreaterThan(0.95);
    assertThat(p.categories()).containsExactlyElementsOf(categories);
  }

  @Test
  void train_unknownLabel_failsNamingIt() {
    List<float[]> x = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      x.add(new float[] {i, 1});
    }
    List<String> labels = new ArrayList<>(java.util.Collections.nCopies(20, "math"));
    labels.set(7, "poetry");

    assertThatThrownBy(
            () -> CategoryPredictor.train(GateTrainer.defaults(1), x, labels, List.of("math"), "e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 'poetry' of example 7 is not one of [math]");
  }
}
