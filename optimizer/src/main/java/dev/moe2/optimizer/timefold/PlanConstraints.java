package dev.moe2.optimizer.timefold;

import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.sum;
import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.sumLong;
import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.toList;

import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import ai.timefold.solver.core.api.score.stream.Constraint;
import ai.timefold.solver.core.api.score.stream.ConstraintFactory;
import ai.timefold.solver.core.api.score.stream.ConstraintProvider;
import ai.timefold.solver.core.api.score.stream.Joiners;

/**
 * The plan's constraints for Timefold (see the table in {@code optimizer/README.md}). A device runs
 * (and draws its mode's power) when at least one model is resident on it.
 */
public class PlanConstraints implements ConstraintProvider {

  @Override
  public Constraint[] defineConstraints(ConstraintFactory factory) {
    return new Constraint[] {
      modeExists(factory),
      memoryCapacity(factory),
      modelRunsInMode(factory),
      sitePowerCap(factory),
      predictedQuality(factory),
      sitePower(factory)
    };
  }

  /** Hard: a device runs one of its own power modes. */
  Constraint modeExists(ConstraintFactory factory) {
    return factory
        .forEach(DeviceMode.class)
        .filter(mode -> !mode.modeExists())
        .penalize(HardMediumSoftLongScore.ONE_HARD)
        .asConstraint("modeExists");
  }

  /** Hard: the models resident on a device fit its memory. */
  Constraint memoryCapacity(ConstraintFactory factory) {
    return factory
        .forEach(Residency.class)
        .filter(Residency::isResident)
        .groupBy(Residency::getDevice, sum(r -> (int) r.getMemoryMiB()))
        .join(DeviceMode.class, Joiners.equal((device, used) -> device, DeviceMode::getDevice))
        .filter((device, used, mode) -> used > mode.getMemoryMiB())
        .penalizeLong(
            HardMediumSoftLongScore.ONE_HARD, (device, used, mode) -> used - mode.getMemoryMiB())
        .asConstraint("memoryCapacity");
  }

  /** Hard: a resident model has a runtime in its device's power mode. */
  Constraint modelRunsInMode(ConstraintFactory factory) {
    return factory
        .forEach(Residency.class)
        .filter(Residency::isResident)
        .join(DeviceMode.class, Joiners.equal(Residency::getDevice, DeviceMode::getDevice))
        .filter((r, mode) -> r.candidateIn(mode.getMode()) < 0)
        .penalize(HardMediumSoftLongScore.ONE_HARD)
        .asConstraint("modelRunsInMode");
  }

  /** Hard: the summed max power of the devices in use stays under the site power cap. */
  Constraint sitePowerCap(ConstraintFactory factory) {
    return factory
        .forEach(DeviceMode.class)
        .ifExists(
            Residency.class,
            Joiners.equal(DeviceMode::getDevice, Residency::getDevice),
            Joiners.filtering((mode, r) -> r.isResident()))
        .groupBy(sumLong(DeviceMode::extraMilliW))
        .join(PlanContext.class)
        .filter((power, ctx) -> power + ctx.idleMilliW() > ctx.capMilliW())
        .penalizeLong(
            HardMediumSoftLongScore.ONE_HARD,
            (power, ctx) -> (power + ctx.idleMilliW() - ctx.capMilliW() + 999) / 1000)
        .asConstraint("sitePowerCap");
  }

  /**
   * Medium (reward): G = Σ_c w_c F_c(U_c(S)), the predicted accuracy of the plan, in millionths.
   */
  Constraint predictedQuality(ConstraintFactory factory) {
    return factory
        .forEach(Residency.class)
        .filter(Residency::isResident)
        .join(DeviceMode.class, Joiners.equal(Residency::getDevice, DeviceMode::getDevice))
        .groupBy(toList((r, mode) -> r.candidateIn(mode.getMode())))
        .join(PlanContext.class)
        .rewardLong(
            HardMediumSoftLongScore.ONE_MEDIUM, (candidates, ctx) -> ctx.qualityMicros(candidates))
        .asConstraint("predictedQuality");
  }

  /** Soft: at equal quality, draw less power (milliwatts over idle of the devices in use). */
  Constraint sitePower(ConstraintFactory factory) {
    return factory
        .forEach(DeviceMode.class)
        .ifExists(
            Residency.class,
            Joiners.equal(DeviceMode::getDevice, Residency::getDevice),
            Joiners.filtering((mode, r) -> r.isResident()))
        .penalizeLong(HardMediumSoftLongScore.ONE_SOFT, DeviceMode::extraMilliW)
        .asConstraint("sitePower");
  }
}
