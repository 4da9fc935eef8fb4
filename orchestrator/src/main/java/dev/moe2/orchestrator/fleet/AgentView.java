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
 */
public record AgentView(
    AgentId id,
    Birth birth,
    AgentState state,
    ProfileReport profile,
    double slowdown,
    double plannedSlowdown) {

  /** Online: the latest state is online and of the same incarnation as the latest birth. */
  public boolean online() {
    return birth != null
        && state != null
        && state.incarnation() == birth.incarnation()
        && state.status() == dev.moe2.protocol.AgentStatus.ONLINE;
  }
}
