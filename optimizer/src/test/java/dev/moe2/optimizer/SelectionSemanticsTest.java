package dev.moe2.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made fleets whose answers can be worked out by hand. */
class SelectionSemanticsTest {

  /** Two devices; model "big" is better but only fits the larger device; two power modes each. */
  static Problem.Builder twoDevices(double delayBudget, double energyBudget) {
    float[][] q = {{0.9f, 0.2f}, {0.8f, 0.6f}, {0.1f, 0.7f}};
    return Problem.builder()
        .device(
            new DeviceSpec(
                "gpu",
                24,
                List.of(new ModeSpec("low", 100), new ModeSpec("high", 300)),
                0,
                new LinkSpec(0.001, 1e8)))
        .device(
            new DeviceSpec(
                "jetson",
                8,
                List.of(new ModeSpec("15w", 15), new ModeSpec("maxn", 60)),
                0,
                new LinkSpec(0.002, 1e7)))
        .model(new ModelSpec("big", 12))
        .model(new ModelSpec("small", 6))
        .rates("gpu", "low", "big", new Rates(0, 2000, 50, 100))
        .rates("gpu", "high", "big", new Rates(0, 4000, 100, 300))
        .rates("gpu", "low", "small", new Rates(0, 4000, 100, 100))
        .rates("gpu", "high", "small", new Rates(0, 8000, 200, 300))
        .rates("jetson", "15w", "small", new Rates(0, 400, 10, 15))
        .rates("jetson", "maxn", "small", new Rates(0, 1000, 25, 60))
        .category(new CategorySpec("qa", 100, 100, 1, 1, delayBudget, energyBudget, q));
  }

  @Test
  void select_looseBudgets_putsBothModelsOnTheLowPowerGpu() {
    Selection s = new DmoSelector().select(twoDevices(100, 1e6).build());

    assertThat(s.plan())
        .containsExactly(
            new DevicePlan("gpu", "low", List.of("big", "small")),
            new DevicePlan("jetson", null, List.of()));
    assertThat(s.objective()).isCloseTo((0.9 + 0.8 + 0.7) / 3, within(1e-6));
    assertThat(s.category("qa").binding()).isEqualTo(Binding.NONE);
  }

  @Test
  void select_deviceTooSlowForEveryBudgetInEveryMode_isOffAndNotBranchedOn() {
    Problem.Builder b =
        twoDevices(100, 1e6)
            .device(
                new DeviceSpec(
                    "slowpoke",
                    64,
                    List.of(new ModeSpec("eco", 10), new ModeSpec("turbo", 40)),
                    0,
                    new LinkSpec(0.001, 1e8)))
            .rates("slowpoke", "eco", "big", new Rates(0, 1, 0.01, 10))
            .rates("slowpoke", "eco", "small", new Rates(0, 1, 0.01, 10))
            .rates("slowpoke", "turbo", "big", new Rates(0, 2, 0.02, 40))
            .rates("slowpoke", "turbo", "small", new Rates(0, 2, 0.02, 40));
    Selection without = new DmoSelector().select(twoDevices(100, 1e6).build());

    Selection with = new DmoSelector().select(b.build());

    assertThat(with.plan()).contains(new DevicePlan("slowpoke", null, List.of()));
    assertThat(with.provenOptimal()).isTrue();
    assertThat(with.objective()).isEqualTo(without.objective());
    assertThat(with.evaluations())
        .as("a level more, with one child (off); branching both modes took 14 against 7")
        .isLessThanOrEqualTo(without.evaluations() + 3);
  }

  @Test
  void select_delayBudgetBelowEveryExpert_isInfeasibleWithTheDelayNeeded() {
    Selection s = new DmoSelector().select(twoDevices(0.1, 1e6).build());

    CategoryOutcome qa = s.category("qa");
    assertThat(qa.feasible()).isFalse();
    assertThat(qa.binding()).isEqualTo(Binding.DELAY);
    // the fastest expert: small on the gpu at high: 100/8000 + 100/200 s compute + link
    double fastest = 0.001 + 200 * 4 / 1e8 + 100 / 8000.0 + 100 / 200.0;
    assertThat(qa.infeasibility().minDelayBudgetS()).isCloseTo(fastest, within(1e-12));
    assertThat(qa.infeasibility().reason())
        .startsWith("delay budget 0.100 s admits no 1 expert(s)");
    assertThat(new DmoSelector().select(twoDevices(fastest, 1e6).build()).category("qa").feasible())
        .as("the reported budget admits the cheapest candidate")
        .isTrue();
  }

  @Test
  void select_energyBudgetBelowEveryExpert_isInfeasibleWithTheEnergyNeeded() {
    Selection s = new DmoSelector().select(twoDevices(100, 1).build());

    CategoryOutcome qa = s.category("qa");
    assertThat(qa.binding()).isEqualTo(Binding.ENERGY);
    double cheapest = qa.infeasibility().minEnergyBudgetJ();
    assertThat(
            new DmoSelector().select(twoDevices(100, cheapest).build()).category("qa").feasible())
        .isTrue();
  }

  @Test
  void select_powerCapBelowTheGpu_usesTheJetsonInItsLowestSufficientMode() {
    Selection s = new DmoSelector().select(twoDevices(100, 1e6).sitePowerCapW(80.0).build());

    assertThat(s.plan())
        .containsExactly(
            new DevicePlan("gpu", null, List.of()),
            new DevicePlan("jetson", "15w", List.of("small")));
    assertThat(s.sitePowerW()).isEqualTo(15);
  }

  @Test
  void select_sameInputTwice_givesTheSameAnswer() {
    Problem p = RandomProblems.generate(42);

    Selection a = new DmoSelector().select(p);
    Selection b = new DmoSelector().select(p);

    assertThat(b.plan()).isEqualTo(a.plan());
    assertThat(b.categories()).isEqualTo(a.categories());
    assertThat(b.evaluations()).isEqualTo(a.evaluations());
  }

  @Test
  void build_qualitiesOfWrongWidth_failNamingTheCategory() {
    assertThatThrownBy(
            () ->
                twoDevices(1, 1)
                    .category(new CategorySpec("math", 10, 10, 1, 1, 1, 1, new float[][] {{0.5f}}))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "field 'qualities[0]' of category math has 1 values: it needs one per model (2)");
  }
}
