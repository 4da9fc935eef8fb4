package dev.moe2.orchestrator.fleet;

import java.util.Objects;

/**
 * The fleet changed: an agent came or went, a profile drifted, or an agent applied a plan.
 *
 * @param kind what changed (typed: the planner decides on it, never on the text)
 * @param agent the agent it is about
 * @param reason for people: logs and the plan history
 */
public record FleetChanged(Kind kind, String agent, String reason) {

  /** What changed. */
  public enum Kind {
    AGENT_ONLINE(true),
    AGENT_OFFLINE(true),
    /**
     * Heard again after the orchestrator's link to the broker returned: re-plan only if the current
     * plan does not already count on it.
     */
    AGENT_BACK(true),
    DRIFT(true),
    /** A confirmation of the plan already made: nothing to re-plan for. */
    PLAN_APPLIED(false);

    private final boolean replans;

    Kind(boolean replans) {
      this.replans = replans;
    }

    /** Whether the plan depends on this change. */
    public boolean replans() {
      return replans;
    }
  }

  public FleetChanged {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(reason, "reason");
  }
}
