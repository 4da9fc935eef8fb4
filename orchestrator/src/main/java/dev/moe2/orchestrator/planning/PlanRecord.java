package dev.moe2.orchestrator.planning;

import dev.moe2.optimizer.Selection;
import dev.moe2.protocol.PlanAssignment;
import java.time.Instant;
import java.util.Map;

/**
 * One plan: why it was made, the optimizer's selection, and each agent's part.
 *
 * @param planMs time the optimizer took
 */
public record PlanRecord(
    long version,
    Instant createdAt,
    String reason,
    Selection selection,
    Map<String, PlanAssignment> assignments,
    double planMs) {}
