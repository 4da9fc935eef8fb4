package dev.moe2.optimizer.timefold;

import ai.timefold.solver.test.api.score.stream.ConstraintVerifier;
import dev.moe2.optimizer.CategorySpec;
import dev.moe2.optimizer.DeviceSpec;
import dev.moe2.optimizer.LinkSpec;
import dev.moe2.optimizer.ModeSpec;
import dev.moe2.optimizer.ModelSpec;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Rates;
import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One ConstraintVerifier test per Timefold constraint. */
class PlanConstraintsTest {

  private final ConstraintVerifier<PlanConstraints, PlanSolution> verifier =
      ConstraintVerifier.build(
          new PlanConstraints(), PlanSolution.class, DeviceMode.class, Residency.class);

  /** One 8 GiB device with modes 15 W and 60 W; models a (4 GiB) and b (6 GiB). */
  private final Problem problem =
      Problem.builder()
          .device(
              new DeviceSpec(
                  "orin",
                  8,
                  List.of(new ModeSpec("15w", 15), new ModeSpec("maxn", 60)),
                  0,
                  new LinkSpec(0, 1e9)))
          .model(new ModelSpec("a", 4))
          .model(new ModelSpec("b", 6))
          .rates("orin", "15w", "a", new Rates(0, 100, 10, 15))
          .rates("orin", "maxn", "a", new Rates(0, 400, 40, 60))
          .rates("orin", "maxn", "b", new Rates(0, 400, 40, 60))
          .category(
              new CategorySpec("qa", 10, 10, 1, 1, 100, 1e6, new float[][] {{1f, 0f}, {0.5f, 1f}}))
          .sitePowerCapW(50.0)
          .build();

  private final Instance instance = new Instance(problem);
  private final PlanContext context = new PlanContext(instance, new Evaluator(instance));

  private DeviceMode device(int mode) {
    return new DeviceMode("orin", 0, 8 * 1024, new long[] {15_000, 60_000}, mode);
  }

  private Residency a(boolean resident) {
    return new Residency(
        "orin/a",
        0,
        0,
        4 * 1024,
        new int[] {instance.candidate(0, 0, 0), instance.candidate(0, 1, 0)},
        resident);
  }

  private Residency b(boolean resident) {
    return new Residency(
        "orin/b", 0, 1, 6 * 1024, new int[] {-1, instance.candidate(0, 1, 1)}, resident);
  }

  @Test
  void modeExists_modeIndexBeyondTheDevicesModes_penalizesOnce() {
    verifier.verifyThat(PlanConstraints::modeExists).given(device(2)).penalizesBy(1);
    verifier.verifyThat(PlanConstraints::modeExists).given(device(1)).penalizesBy(0);
  }

  @Test
  void memoryCapacity_modelsOverTheDeviceMemory_penalizesTheExcessMiB() {
    verifier
        .verifyThat(PlanConstraints::memoryCapacity)
        .given(device(1), a(true), b(true))
        .penalizesBy(2 * 1024);
    verifier
        .verifyThat(PlanConstraints::memoryCapacity)
        .given(device(1), a(true), b(false))
        .penalizesBy(0);
  }

  @Test
  void modelRunsInMode_residentWithoutRuntimeInTheMode_penalizesOnce() {
    verifier.verifyThat(PlanConstraints::modelRunsInMode).given(device(0), b(true)).penalizesBy(1);
    verifier.verifyThat(PlanConstraints::modelRunsInMode).given(device(1), b(true)).penalizesBy(0);
  }

  @Test
  void sitePowerCap_activeDeviceOverTheCap_penalizesTheExcessWatts() {
    verifier
        .verifyThat(PlanConstraints::sitePowerCap)
        .given(context, device(1), a(true))
        .penalizesBy(10);
    verifier
        .verifyThat(PlanConstraints::sitePowerCap)
        .given(context, device(1), a(false))
        .penalizesBy(0);
    verifier
        .verifyThat(PlanConstraints::sitePowerCap)
        .given(context, device(0), a(true))
        .penalizesBy(0);
  }

  @Test
  void predictedQuality_residentModels_rewardsGInMillionths() {
    // a and b at maxn: every prompt gets its best model: (1 + 1) / 2 = 1.0
    verifier
        .verifyThat(PlanConstraints::predictedQuality)
        .given(context, device(1), a(true), b(true))
        .rewardsWith(1_000_000);
    // a alone: (1 + 0.5) / 2
    verifier
        .verifyThat(PlanConstraints::predictedQuality)
        .given(context, device(0), a(true), b(false))
        .rewardsWith(750_000);
  }

  @Test
  void sitePower_deviceInUse_penalizesItsModeMilliwatts() {
    verifier.verifyThat(PlanConstraints::sitePower).given(device(0), a(true)).penalizesBy(15_000);
    verifier.verifyThat(PlanConstraints::sitePower).given(device(1), a(false)).penalizesBy(0);
  }
}
