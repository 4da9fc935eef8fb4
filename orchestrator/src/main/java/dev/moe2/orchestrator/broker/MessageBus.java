package dev.moe2.orchestrator.broker;

import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.Topic;

/**
 * The port through which the request path and the planning service reach the fleet: publish by
 * {@link Topic}, send a request; incoming messages are handed to the fleet registry and the reply
 * hub by the adapter ({@link FleetLink}, Paho MQTT 5). Domain code never sees the client.
 */
public interface MessageBus {

  /** This replica's id (its replies topic). */
  OrchestratorId id();

  /** Connected with every subscription granted by the broker: what is sent now can be answered. */
  boolean connected();

  /** Publishes with the topic's QoS and retain flag; false when not connected. */
  boolean publish(Topic topic, Message message);

  /** Sends a request to its agent with expiry, response topic and correlation data. */
  boolean request(InferenceRequest request);
}
