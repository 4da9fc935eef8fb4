package dev.moe2.orchestrator.planning;

import dev.moe2.orchestrator.config.OrchestratorConfig;

/** The test configuration of {@link PlanningServiceTest}, for tests of other packages. */
public final class PlanningServiceTestAccess {
  private PlanningServiceTestAccess() {}

  public static OrchestratorConfig config(String... keyValues) {
    return PlanningServiceTest.config(keyValues);
  }
}
