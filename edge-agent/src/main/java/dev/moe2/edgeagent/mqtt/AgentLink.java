package dev.moe2.edgeagent.mqtt;

import dev.moe2.protocol.Message;
import dev.moe2.protocol.Topic;

/**
 * The agent's connection to the broker, by role: keep connected (reconnecting with backoff),
 * deliver what arrives on the agent's request and plan topics, publish contract messages with their
 * topic's QoS and retain flag. The MQTT adapter is {@link PahoLink}.
 */
public interface AgentLink extends AutoCloseable {

  /** What the agent does with the link's events; called on the link's threads. */
  interface Listener {
    /** The link (re)connected and the broker granted every subscription: announce now. */
    void connected(boolean reconnect);

    /** A message arrived on a subscribed topic (raw: decoding errors are the agent's to answer). */
    void arrived(String topic, byte[] payload, String responseTopic);

    /**
     * As {@link #arrived(String, byte[], String)}, with the W3C trace context the message carried
     * ({@code traceparent}, {@code tracestate}; empty when none).
     */
    default void arrived(
        String topic, byte[] payload, String responseTopic, java.util.Map<String, String> trace) {
      arrived(topic, payload, responseTopic);
    }
  }

  /** Starts connecting in the background (and keeps reconnecting); returns at once. */
  void start(Listener listener);

  boolean connected();

  /**
   * Publishes with the topic kind's QoS and retain flag.
   *
   * @throws dev.moe2.mqtt.LinkException when not connected or the client refuses
   */
  void publish(Topic topic, Message message);

  /**
   * Publishes an answer on a request's response topic (a replies topic) with the request id as MQTT
   * 5 correlation data.
   */
  void reply(String responseTopic, byte[] correlation, Message message);

  /** As {@link #reply(String, byte[], Message)}, carrying a W3C trace context back. */
  default void reply(
      String responseTopic,
      byte[] correlation,
      Message message,
      java.util.Map<String, String> trace) {
    reply(responseTopic, correlation, message);
  }

  /** Publishes and waits for the broker's acknowledgement (used for the last words). */
  void publishAndWait(Topic topic, Message message, java.time.Duration timeout);

  /** Disconnects normally (the broker discards the will) and releases the client. */
  @Override
  void close();
}
