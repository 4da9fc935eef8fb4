package dev.moe2.orchestrator.routing;

import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.OrchestratorId;
import java.time.Duration;

/** The port the dispatcher sends requests and reads replies through (MQTT in production). */
public interface RequestChannel {

  OrchestratorId id();

  /** False when the request could not be handed to the broker. */
  boolean send(InferenceRequest request);

  /** Asks an agent to stop a request (its client went away); false when it could not be sent. */
  boolean cancel(dev.moe2.protocol.CancelRequest cancel);

  /** Opens the mailbox of one request's replies and errors; close it when done. */
  Mailbox open(String requestId);

  /** The replies, partial outputs and errors of one request, in arrival order. */
  interface Mailbox extends AutoCloseable {
    /** The next reply or error, waiting at most {@code max}; null when none came. */
    Message poll(Duration max) throws InterruptedException;

    @Override
    void close();
  }
}
