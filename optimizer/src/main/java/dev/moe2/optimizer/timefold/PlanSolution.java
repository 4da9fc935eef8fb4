package dev.moe2.optimizer.timefold;

import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.solution.ProblemFactProperty;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import java.util.List;

/** A plan as Timefold sees it: a mode per device and a residency flag per (device, model). */
@PlanningSolution
public class PlanSolution {

  @ProblemFactProperty private PlanContext context;

  @PlanningEntityCollectionProperty private List<DeviceMode> modes;

  @PlanningEntityCollectionProperty private List<Residency> residencies;

  @ValueRangeProvider(id = "booleans")
  private List<Boolean> booleans = List.of(Boolean.FALSE, Boolean.TRUE);

  @ValueRangeProvider(id = "modeRange")
  private List<Integer> modeRange;

  @PlanningScore private HardMediumSoftLongScore score;

  public PlanSolution() {}

  /**
   * @param modeCount the most power modes any device has (mode indices 0 .. modeCount − 1)
   */
  public PlanSolution(
      PlanContext context, List<DeviceMode> modes, List<Residency> residencies, int modeCount) {
    this.context = context;
    this.modes = modes;
    this.residencies = residencies;
    this.modeRange = java.util.stream.IntStream.range(0, modeCount).boxed().toList();
  }

  public List<Integer> getModeRange() {
    return modeRange;
  }

  public PlanContext getContext() {
    return context;
  }

  public List<DeviceMode> getModes() {
    return modes;
  }

  public List<Residency> getResidencies() {
    return residencies;
  }

  public List<Boolean> getBooleans() {
    return booleans;
  }

  public HardMediumSoftLongScore getScore() {
    return score;
  }

  public void setScore(HardMediumSoftLongScore score) {
    this.score = score;
  }
}
