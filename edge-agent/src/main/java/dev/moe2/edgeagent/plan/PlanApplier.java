package dev.moe2.edgeagent.plan;

import dev.moe2.edgeagent.backend.BackendException;
import dev.moe2.edgeagent.power.PowerControlException;
import dev.moe2.edgeagent.power.PowerController;
import dev.moe2.edgeagent.serve.HostedModel;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PlanAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Applies this agent's part of a plan (method.md §3): check it (the mode exists, every model is
 * hosted here and the resident set fits the memory), set the power mode, then unload the models the
 * plan drops and load the ones it keeps. A plan version already applied is ignored. A failure is an
 * {@link Outcome} with the reason, never hidden; the agent reports it.
 */
public final class PlanApplier {

  /**
   * What happened.
   *
   * @param applied whether the plan is now in force
   * @param ignored whether it was an old or repeated version
   * @param reason why not, when not applied
   */
  public record Outcome(boolean applied, boolean ignored, String reason) {}

  private final Map<ModelId, HostedModel> models;
  private final PowerController power;
  private final double memoryGiB;
  private volatile long appliedVersion;

  /**
   * @param memoryGiB memory available to resident models
   */
  public PlanApplier(Map<ModelId, HostedModel> models, PowerController power, double memoryGiB) {
    this.models = Map.copyOf(models);
    this.power = power;
    this.memoryGiB = memoryGiB;
  }

  public long appliedVersion() {
    return appliedVersion;
  }

  /** The models resident now, sorted. */
  public List<ModelId> resident() {
    return new ArrayList<>(
        new TreeSet<>(
            models.values().stream()
                .filter(m -> m.backend().loaded())
                .map(HostedModel::model)
                .toList()));
  }

  public synchronized Outcome apply(PlanAssignment plan) {
    if (plan.planVersion() <= appliedVersion) {
      return new Outcome(
          false,
          true,
          "plan version " + plan.planVersion() + " is not newer than " + appliedVersion);
    }
    List<String> unknown =
        plan.residentModels().stream()
            .filter(m -> !models.containsKey(m))
            .map(ModelId::value)
            .toList();
    if (!unknown.isEmpty()) {
      return new Outcome(
          false,
          false,
          "plan " + plan.planVersion() + " asks for models this agent does not host: " + unknown);
    }
    double needed =
        plan.residentModels().stream().mapToDouble(m -> models.get(m).memoryGiB()).sum();
    if (needed > memoryGiB + 1e-9) {
      return new Outcome(
          false,
          false,
          String.format(
              java.util.Locale.ROOT,
              "plan %d needs %.1f GiB for %s but %.1f GiB are available",
              plan.planVersion(),
              needed,
              plan.residentModels(),
              memoryGiB));
    }
    try {
      if (!plan.powerMode().equals(power.current()) || appliedVersion == 0) {
        power.apply(plan.powerMode());
      }
    } catch (PowerControlException e) {
      return new Outcome(
          false, false, "cannot set power mode " + plan.powerMode() + ": " + e.getMessage());
    }
    try {
      for (HostedModel m : models.values()) {
        if (!plan.residentModels().contains(m.model())) {
          m.backend().unload();
        }
      }
      for (ModelId id : plan.residentModels()) {
        models.get(id).backend().load();
      }
    } catch (BackendException e) {
      return new Outcome(false, false, "cannot load or unload a model: " + e.getMessage());
    }
    appliedVersion = plan.planVersion();
    return new Outcome(true, false, null);
  }
}
