package dev.moe2.orchestrator.broker;

/**
 * The link to the broker is (again) up with every subscription granted.
 *
 * @param reconnect not the first connect
 */
public record LinkUp(boolean reconnect) {}
