package dev.moe2.optimizer.timefold;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.lookup.PlanningId;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;

/** Whether one model is resident on one device (planning variable: a boolean). */
@PlanningEntity
public class Residency {

  @PlanningId private String id;
  private int device;
  private int model;
  private long memoryMiB;

  /** Per mode of the device: the candidate expert index, or -1 when it cannot run in that mode. */
  private int[] candidateByMode;

  @PlanningVariable(valueRangeProviderRefs = "booleans")
  private Boolean resident;

  public Residency() {}

  public Residency(
      String id, int device, int model, long memoryMiB, int[] candidateByMode, Boolean resident) {
    this.id = id;
    this.device = device;
    this.model = model;
    this.memoryMiB = memoryMiB;
    this.candidateByMode = candidateByMode.clone();
    this.resident = resident;
  }

  public String getId() {
    return id;
  }

  public int getDevice() {
    return device;
  }

  public int getModel() {
    return model;
  }

  public long getMemoryMiB() {
    return memoryMiB;
  }

  /** The candidate this residency is in {@code mode}, or -1. */
  public int candidateIn(Integer mode) {
    return mode == null || mode >= candidateByMode.length ? -1 : candidateByMode[mode];
  }

  public boolean isResident() {
    return Boolean.TRUE.equals(resident);
  }

  public Boolean getResident() {
    return resident;
  }

  public void setResident(Boolean resident) {
    this.resident = resident;
  }

  @Override
  public String toString() {
    return id + "=" + resident;
  }
}
