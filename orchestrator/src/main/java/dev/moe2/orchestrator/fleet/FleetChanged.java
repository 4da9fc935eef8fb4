package dev.moe2.orchestrator.fleet;

/** The fleet changed in a way the plan depends on (an agent came or went, a profile drifted). */
public record FleetChanged(String reason) {}
