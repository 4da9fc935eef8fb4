package dev.moe2.orchestrator.fleet;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.ProfileReport;

/**
 * What the orchestrator knows of one agent.
 *
 * @param birth its latest birth (null before one arrived)
 * @param state its latest state of that incarnation (null when none)
 * @param profile its latest profile report of that incarnation (null when none)
 * @param slowdown measured decode time per token over the profile's prediction (1 = as predicted)
 * @param plannedSlowdown the slowdown when drift last fired (what the plan was made with)
 * @param stale the orchestrator lost the broker since it last heard of this agent: its state is
 *     unverified until the agent's retained or re-published state arrives again
 */
public record AgentView(
    AgentId id,
    Birth birth,
    AgentState state,
    ProfileReport profile,
    double slowdown,
    double plannedSlowdown,
    boolean stale) {

  /** Without the stale mark (what it was before the link to the broker dropped). */
  public AgentView fresh() {
    return new AgentView(id, birth, state, profile, slowdown, plannedSlowdown, false);
  }

  /**
   * Online: the latest state is online and of the same incarnation as the latest birth, and heard
   * since the orchestrator's last connect.
   */
  public boolean online() {
    return !stale
        && birth != null
        && state != null
        && state.incarnation() == birth.incarnation()
        && state.status() == dev.moe2.protocol.AgentStatus.ONLINE;
  }
}
