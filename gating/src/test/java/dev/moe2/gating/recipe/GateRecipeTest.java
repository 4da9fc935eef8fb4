package dev.moe2.gating.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.moe2.gating.data.RouterDcRecord;
import dev.moe2.profiles.workload.ReferenceWorkload;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.profiles.workload.SharedDataMissingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateRecipeTest {

  @Test
  void reference_missingSharedFolder_failsNamingThePath(@TempDir Path dir) {
    assertThatThrownBy(() -> GateRecipe.reference(dir.resolve("nowhere"), 0, 1))
        .isInstanceOf(SharedDataMissingException.class)
        .hasMessageContaining(dir.resolve("nowhere").resolve(SharedData.ROUTERDC).toString());
  }

  @Test
  void load_withMaxPrompts_keepsAnEvenStrideOfThatMany() {
    GateRecipe recipe = GateRecipe.reference(SharedData.dir(), 100, 1);
    List<RouterDcRecord> all = new GateRecipe(recipe.routerDc(), 0, 1).load("mmlu_train.json");

    List<RouterDcRecord> some = recipe.load("mmlu_train.json");

    assertThat(some).hasSize(100);
    assertThat(some.get(1)).isEqualTo(all.get(all.size() / 100));
    assertThat(GateRecipe.experts(some)).hasSize(7).isSorted();
  }

  @Test
  void train_smallSet_givesAGateOverTheExpertsAndAPredictorOverTheReferenceCategories(
      @TempDir Path dir) {
    Random r = new Random(3);
    TrainingSet.Builder b = new TrainingSet.Builder();
    List<String> experts = b.experts(List.of("a", "b"));
    for (String c : ReferenceWorkload.CATEGORIES) {
      List<float[]> x = new ArrayList<>();
      double[][] y = new double[20][];
      for (int i = 0; i < 20; i++) {
        float[] v = new float[8];
        v[ReferenceWorkload.CATEGORIES.indexOf(c)] = 1;
        v[7] = (float) r.nextGaussian();
        x.add(v);
        y[i] = new double[] {r.nextDouble(), r.nextDouble()};
      }
      b.add(c, x, y);
    }
    TrainingSet set = b.build();
    GateRecipe recipe = GateRecipe.reference(SharedData.dir(), 0, 1);

    TrainedGate trained = recipe.train(set, "test-encoder", f -> {});
    trained.save(dir);
    TrainedGate loaded = TrainedGate.load(dir, "test-encoder");

    assertThat(GateRecipe.savedIn(dir)).isTrue();
    assertThat(loaded.experts()).isEqualTo(experts);
    assertThat(loaded.predictor().categories()).isEqualTo(ReferenceWorkload.CATEGORIES);
    float[] knowledge = set.x().get(0);
    assertThat(loaded.quality(knowledge, "knowledge"))
        .containsExactly(trained.quality(knowledge, "knowledge"));
    assertThat(loaded.category(knowledge)).isEqualTo(trained.category(knowledge));
  }

  @Test
  void builder_filesWithOtherExperts_areRefused() {
    TrainingSet.Builder b = new TrainingSet.Builder();
    b.experts(List.of("a", "b"));

    assertThatThrownBy(() -> b.experts(List.of("a", "c")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[a, c]");
  }
}
