package dev.moe2.optimizer.timefold;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.lookup.PlanningId;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;

/**
 * The power mode of one device (planning variable: a mode index). The index range is shared by the
 * fleet (0 .. most modes of any device − 1) because Timefold 1.28's swap moves fail when an entity
 * class has an entity-scoped value range; {@code modeExists} makes other indices infeasible.
 */
@PlanningEntity
public class DeviceMode {

  @PlanningId private String id;
  private int device;
  private long memoryMiB;

  /** Per mode: its max power minus the device's idle power, in milliwatts. */
  private long[] extraMilliW;

  @PlanningVariable(valueRangeProviderRefs = "modeRange")
  private Integer mode;

  public DeviceMode() {}

  public DeviceMode(String id, int device, long memoryMiB, long[] extraMilliW, Integer mode) {
    this.id = id;
    this.device = device;
    this.memoryMiB = memoryMiB;
    this.extraMilliW = extraMilliW.clone();
    this.mode = mode;
  }

  /** Whether the chosen mode index is one of this device's modes (the range is fleet-wide). */
  public boolean modeExists() {
    return mode != null && mode < extraMilliW.length;
  }

  public String getId() {
    return id;
  }

  public int getDevice() {
    return device;
  }

  public long getMemoryMiB() {
    return memoryMiB;
  }

  /** Power this device adds over idle when it runs models, at its current mode. */
  public long extraMilliW() {
    return modeExists() ? extraMilliW[mode] : 0;
  }

  public Integer getMode() {
    return mode;
  }

  public void setMode(Integer mode) {
    this.mode = mode;
  }

  @Override
  public String toString() {
    return id + "@" + mode;
  }
}
