package dev.moe2.edgeagent.mqtt;

import dev.moe2.mqtt.MqttLink;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * {@link AgentLink} over the project's MQTT 5 client ({@link MqttLink}, Eclipse Paho): client id =
 * agent id, clean start, the retained offline state as last will (rebuilt at every connect, so it
 * carries the current incarnation), keep-alive from config, username/password and TLS when
 * configured; subscribes to the agent's request, plan, cancel and own state topics and announces
 * itself only once the broker has granted all three.
 */
public final class PahoLink implements AgentLink {

  /** Connection settings. */
  public record Settings(
      String uri,
      String username,
      char[] password,
      int keepAliveS,
      Duration reconnectInitial,
      Duration reconnectMax,
      Properties tls) {}

  private final AgentId agent;
  private final JsonCodec codec;
  private final MqttLink mqtt;
  private volatile Listener listener;

  /**
   * @param lastWill builds the will for the next connect (the offline state)
   * @param seed seeds the reconnect jitter
   */
  public PahoLink(
      AgentId agent, Settings settings, JsonCodec codec, Supplier<Message> lastWill, long seed) {
    this.agent = agent;
    this.codec = codec;
    Topic state = Topic.state(agent);
    this.mqtt =
        new MqttLink(
            new MqttLink.Settings(
                settings.uri(),
                agent.value(),
                settings.username(),
                settings.password(),
                Duration.ofSeconds(settings.keepAliveS()),
                Duration.ofSeconds(Math.max(2, settings.keepAliveS() * 2L)),
                settings.reconnectInitial(),
                settings.reconnectMax(),
                settings.tls(),
                seed),
            List.of(
                new MqttLink.Subscription(Topic.requestsFilter(agent), 1),
                new MqttLink.Subscription(Topic.plan(agent).name(), 1),
                new MqttLink.Subscription(Topic.cancel(agent).name(), 1),
                // its own state: a late will of this incarnation is answered by re-asserting online
                new MqttLink.Subscription(state.name(), 1)),
            () ->
                new MqttLink.Will(
                    state.name(),
                    codec.encode(lastWill.get()),
                    state.kind().qos(),
                    state.kind().retained()),
            new MqttLink.Listener() {
              @Override
              public void connected(boolean reconnect) {
                Listener l = listener;
                if (l != null) {
                  l.connected(reconnect);
                }
              }

              @Override
              public void arrived(MqttLink.Incoming m) {
                Listener l = listener;
                if (l != null) {
                  l.arrived(
                      m.topic(),
                      m.payload(),
                      m.responseTopic(),
                      dev.moe2.mqtt.TraceContext.only(m.userProperties()));
                }
              }
            });
  }

  @Override
  public void start(Listener l) {
    this.listener = l;
    mqtt.start();
  }

  @Override
  public boolean connected() {
    return mqtt.connected();
  }

  @Override
  public void publish(Topic topic, Message message) {
    send(topic, message, MqttLink.PublishOptions.NONE, null);
  }

  @Override
  public void publishAndWait(Topic topic, Message message, Duration timeout) {
    send(topic, message, MqttLink.PublishOptions.NONE, timeout);
  }

  @Override
  public void reply(String responseTopic, byte[] correlation, Message message) {
    reply(responseTopic, correlation, message, java.util.Map.of());
  }

  @Override
  public void reply(
      String responseTopic,
      byte[] correlation,
      Message message,
      java.util.Map<String, String> trace) {
    Topic topic = Topic.parse(responseTopic);
    send(
        topic,
        message,
        new MqttLink.PublishOptions(null, correlation, null)
            .withUserProperties(dev.moe2.mqtt.TraceContext.only(trace)),
        null);
  }

  private void send(Topic topic, Message message, MqttLink.PublishOptions o, Duration wait) {
    mqtt.publish(
        topic.name(), codec.encode(message), topic.kind().qos(), topic.kind().retained(), o, wait);
  }

  @Override
  public void close() {
    mqtt.close();
  }

  @Override
  public String toString() {
    return "PahoLink[" + agent + " @ " + mqtt.uri() + "]";
  }
}
