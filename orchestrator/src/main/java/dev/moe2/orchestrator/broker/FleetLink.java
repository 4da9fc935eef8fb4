package dev.moe2.orchestrator.broker;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.routing.ReplyHub;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.NoDelaySocketFactory;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jboss.logging.Logger;

/**
 * The orchestrator's MQTT client (Paho v5): watches the fleet topics and its own replies, publishes
 * plans and requests. One client-wide callback dispatches on {@link Topic#parse}; malformed
 * payloads and unknown topics are counted, logged and dropped.
 */
@Singleton
public class FleetLink {

  private static final Logger LOG = Logger.getLogger(FleetLink.class);

  private final BrokerService broker;
  private final OrchestratorConfig config;
  private final FleetRegistry fleet;
  private final ReplyHub replies;
  private final JsonCodec codec = new JsonCodec();
  private final OrchestratorId id;
  private final AtomicLong malformed = new AtomicLong();
  private volatile MqttAsyncClient client;
  private MqttConnectionOptions options;
  private volatile boolean closing;
  private final java.util.concurrent.ScheduledExecutorService reconnector =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "moe2-mqtt-reconnect");
            t.setDaemon(true);
            return t;
          });
  private final java.util.concurrent.atomic.AtomicInteger attempts =
      new java.util.concurrent.atomic.AtomicInteger();

  FleetLink(
      BrokerService broker,
      OrchestratorConfig config,
      FleetRegistry fleet,
      ReplyHub replies,
      MeterRegistry metrics) {
    this.broker = broker;
    this.config = config;
    this.fleet = fleet;
    this.replies = replies;
    this.id = OrchestratorId.of(config.orchestratorId());
    metrics.gauge("moe2_mqtt_malformed_messages", malformed);
  }

  public OrchestratorId id() {
    return id;
  }

  public long malformed() {
    return malformed.get();
  }

  void start(@Observes @Priority(10) StartupEvent event) throws MqttException {
    client = new MqttAsyncClient(broker.uri(), id.value(), new MemoryPersistence());
    client.setCallback(new Callback());
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setKeepAliveInterval(config.broker().keepAliveS());
    // Reconnects are ours: Paho 1.2.5 does not reconnect after a server-sent DISCONNECT (e.g. a
    // broker shutting down), only after a lost socket.
    o.setAutomaticReconnect(false);
    // shorter than the wait below, so a connect that hangs fails instead of staying in progress
    o.setConnectionTimeout(5);
    config.broker().username().ifPresent(o::setUserName);
    config.broker().password().ifPresent(p -> o.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    if (broker.uri().startsWith("tcp:")) {
      o.setSocketFactory(new NoDelaySocketFactory());
    }
    options = o;
    connect();
  }

  private synchronized void connect() {
    if (closing || client.isConnected()) {
      return;
    }
    try {
      client.connect(options).waitForCompletion(10_000);
      attempts.set(0);
    } catch (MqttException e) {
      if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS
          || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
        renewClient();
      }
      int n = attempts.incrementAndGet();
      long delay = Math.min(10_000, 250L << Math.min(n, 6));
      LOG.warnf("cannot connect to the broker %s: %s; retrying in %d ms", broker.uri(), e, delay);
      reconnector.schedule(this::connect, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /** A client whose connect never completed is stuck "connecting": start over with a new one. */
  private void renewClient() {
    try {
      client.disconnectForcibly(0, 100, false);
    } catch (MqttException ignored) {
      // it is being replaced
    }
    try {
      client.close(true);
    } catch (MqttException ignored) {
      // it is being replaced
    }
    try {
      client = new MqttAsyncClient(broker.uri(), id.value(), new MemoryPersistence());
      client.setCallback(new Callback());
    } catch (MqttException e) {
      LOG.errorf("cannot create a new MQTT client: %s", e);
    }
  }

  private void subscribe() {
    try {
      client
          .subscribe(
              new MqttSubscription[] {
                new MqttSubscription(Topic.filterAll(Topic.Kind.BIRTH), 1),
                new MqttSubscription(Topic.filterAll(Topic.Kind.STATE), 1),
                new MqttSubscription(Topic.filterAll(Topic.Kind.PROFILE), 1),
                new MqttSubscription(Topic.filterAll(Topic.Kind.ERRORS), 1),
                new MqttSubscription(Topic.repliesFilter(id), 1)
              })
          .waitForCompletion(10_000);
    } catch (MqttException e) {
      LOG.errorf("cannot subscribe to the fleet topics: %s", e);
    }
  }

  public boolean connected() {
    return client != null && client.isConnected();
  }

  /** Publishes with the topic's QoS and retain flag; false when not connected. */
  public boolean publish(Topic topic, Message message) {
    return send(
        topic.name(),
        codec.encode(message),
        topic.kind().qos(),
        topic.kind().retained(),
        new MqttProperties());
  }

  /** Clears a retained message (an empty retained payload). */
  public boolean clearRetained(Topic topic) {
    return send(topic.name(), new byte[0], 1, true, new MqttProperties());
  }

  /** Publishes a request with expiry, response topic and correlation data (the contract). */
  public boolean request(InferenceRequest r) {
    MqttProperties p = new MqttProperties();
    long left = Math.max(1, Duration.between(Instant.now(), r.deadline()).toSeconds() + 1);
    p.setMessageExpiryInterval(left);
    p.setResponseTopic(r.replyTo());
    p.setCorrelationData(r.requestId().value().getBytes(StandardCharsets.UTF_8));
    return send(Topic.requests(r.agentId(), r.modelId()).name(), codec.encode(r), 1, false, p);
  }

  private boolean send(String topic, byte[] payload, int qos, boolean retained, MqttProperties p) {
    if (!connected()) {
      return false;
    }
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (true) {
      try {
        client.publish(topic, new MqttMessage(payload, qos, retained, p));
        return true;
      } catch (MqttException e) {
        if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
            && System.nanoTime() < deadline) {
          LockSupport.parkNanos(200_000);
          continue;
        }
        LOG.warnf("cannot publish on %s: %s", topic, e);
        return false;
      }
    }
  }

  void stop(@Observes ShutdownEvent event) {
    closing = true;
    reconnector.shutdownNow();
    if (client != null) {
      try {
        if (client.isConnected()) {
          client.disconnect().waitForCompletion(2_000);
        }
        client.close(true);
      } catch (MqttException e) {
        LOG.warn("MQTT client did not close cleanly", e);
      }
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      LOG.infof("%s to the broker %s", reconnect ? "reconnected" : "connected", serverUri);
      reconnector.execute(FleetLink.this::subscribe);
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      LOG.warnf("lost the broker: %s", response);
      if (!closing) {
        reconnector.schedule(
            FleetLink.this::connect, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      LOG.warnf("MQTT error: %s", e);
    }

    @Override
    public void messageArrived(String topicName, MqttMessage message) {
      try {
        Topic topic = Topic.parse(topicName);
        if (message.getPayload().length == 0) {
          return; // a cleared retained message
        }
        Message m = codec.decode(topic, message.getPayload());
        switch (topic.kind()) {
          case BIRTH, STATE, PROFILE, ERRORS -> fleet.accept(topic, m);
          case REPLIES -> replies.accept(topic, m);
          default -> LOG.debugf("ignoring %s", topicName);
        }
      } catch (ProtocolException e) {
        malformed.incrementAndGet();
        LOG.warnf("dropped a malformed message: %s", e.getMessage());
      } catch (RuntimeException e) {
        malformed.incrementAndGet();
        LOG.warnf(e, "dropped a message on %s that could not be handled", topicName);
      }
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
