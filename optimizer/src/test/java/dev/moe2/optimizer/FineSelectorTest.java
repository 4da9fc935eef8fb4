package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FineSelectorTest {

  private static final Expert A_FAST = new Expert("a", "d1", "maxn", 1.0, 10);
  private static final Expert A_SLOW = new Expert("a", "d2", "30w", 2.0, 8);
  private static final Expert B = new Expert("b", "d1", "maxn", 1.5, 12);
  private static final Expert C = new Expert("c", "d3", "pl300", 0.5, 20);

  private static final CategoryOutcome OUTCOME =
      new CategoryOutcome(
          "knowledge",
          true,
          List.of(A_SLOW, B, C),
          List.of(A_FAST, A_SLOW, B, C),
          0.6,
          2,
          20,
          Binding.NONE,
          null);

  @Test
  void select_kTwo_takesTheTwoHighestQualitiesWithRenormalisedWeights() {
    List<FineSelector.Pick> picks =
        FineSelector.select(OUTCOME, Map.of("a", 0.9, "b", 0.3, "c", 0.6), 2, null);

    assertThat(picks).extracting(p -> p.expert().modelId()).containsExactly("a", "c");
    assertThat(picks.get(0).weight()).isCloseTo(0.9 / 1.5, within(1e-12));
    assertThat(picks.get(1).weight()).isCloseTo(0.6 / 1.5, within(1e-12));
  }

  @Test
  void select_modelWithReplicas_takesTheFastestReplica() {
    List<FineSelector.Pick> picks = FineSelector.select(OUTCOME, Map.of("a", 0.9), 1, null);

    assertThat(picks).singleElement().satisfies(p -> assertThat(p.expert()).isEqualTo(A_FAST));
  }

  @Test
  void select_withLoads_takesTheLeastLoadedReplica() {
    List<FineSelector.Pick> picks =
        FineSelector.select(OUTCOME, Map.of("a", 0.9), 1, e -> e.deviceId().equals("d1") ? 5 : 0);

    assertThat(picks.get(0).expert()).isEqualTo(A_SLOW);
  }

  @Test
  void select_allQualitiesZero_weighsUniformlyAndBreaksTiesById() {
    List<FineSelector.Pick> picks = FineSelector.select(OUTCOME, Map.of(), 3, null);

    assertThat(picks).extracting(p -> p.expert().modelId()).containsExactly("a", "b", "c");
    assertThat(picks).allSatisfy(p -> assertThat(p.weight()).isCloseTo(1 / 3.0, within(1e-12)));
  }

  @Test
  void select_kAboveUsableCount_returnsEveryUsableModel() {
    assertThat(FineSelector.select(OUTCOME, Map.of("b", 1.0), 5, null)).hasSize(3);
  }
}
