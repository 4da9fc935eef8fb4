package dev.moe2.orchestrator.broker;

import dev.moe2.mqtt.LinkException;
import dev.moe2.mqtt.MqttLink;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.routing.ReplyHub;
import dev.moe2.orchestrator.security.SiteSecurity;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The {@link MessageBus} over MQTT 5 ({@link MqttLink}, the project's one Paho client): watches the
 * fleet topics and this replica's replies, publishes plans and requests. Connected (and ready) only
 * once the broker has granted every subscription; when the link drops, the fleet view is marked
 * unverified until the agents' states arrive again. Malformed payloads and unknown topics are
 * counted, logged and dropped.
 */
@Singleton
public class FleetLink implements MessageBus {

  /** The shared-subscription group of the orchestrator replicas. */
  static final String SHARE_GROUP = "moe2-orchestrators";

  private static final Logger LOG = Logger.getLogger(FleetLink.class);

  private final BrokerService broker;
  private final SiteSecurity security;
  private final OrchestratorConfig config;
  private final FleetRegistry fleet;
  private final ReplyHub replies;
  private final Clock clock;
  private final Event<LinkUp> up;
  private final JsonCodec codec = new JsonCodec();
  private final OrchestratorId id;
  private final AtomicLong malformed = new AtomicLong();
  private final io.opentelemetry.api.trace.Tracer tracer;
  private volatile MqttLink link;

  FleetLink(
      BrokerService broker,
      SiteSecurity security,
      OrchestratorConfig config,
      FleetRegistry fleet,
      ReplyHub replies,
      MeterRegistry metrics,
      Clock clock,
      Event<LinkUp> up,
      io.opentelemetry.api.trace.Tracer tracer) {
    this.tracer = tracer;
    this.broker = broker;
    this.security = security;
    this.config = config;
    this.fleet = fleet;
    this.replies = replies;
    this.clock = clock;
    this.up = up;
    this.id = OrchestratorId.of(config.orchestratorId());
    io.micrometer.core.instrument.Gauge.builder(
            "moe2_mqtt_malformed_messages", malformed, AtomicLong::get)
        .description("MQTT messages dropped as malformed or unhandled since start")
        .register(metrics);
  }

  @Override
  public OrchestratorId id() {
    return id;
  }

  public long malformed() {
    return malformed.get();
  }

  void start(@Observes @Priority(10) StartupEvent event) {
    OrchestratorConfig.Broker b = config.broker();
    MqttLink.Settings settings =
        new MqttLink.Settings(
            broker.uri(),
            id.value(),
            security.mqttUsername().orElse(null),
            security.mqttPassword().orElse(null),
            Duration.ofSeconds(b.keepAliveS()),
            Duration.ofSeconds(5),
            Duration.ofMillis(250),
            Duration.ofSeconds(10),
            null,
            clock.millis());
    List<MqttLink.Subscription> subscriptions =
        List.of(
            new MqttLink.Subscription(Topic.filterAll(Topic.Kind.BIRTH), 1),
            new MqttLink.Subscription(Topic.filterAll(Topic.Kind.STATE), 1),
            // replicas split profiles and error reports among them (MQTT 5 shared
            // subscriptions, ADR 0015); births and states reach every replica
            new MqttLink.Subscription(
                Topic.shared(SHARE_GROUP, Topic.filterAll(Topic.Kind.PROFILE)), 1),
            new MqttLink.Subscription(
                Topic.shared(SHARE_GROUP, Topic.filterAll(Topic.Kind.ERRORS)), 1),
            new MqttLink.Subscription(Topic.repliesFilter(id), 1));
    link = new MqttLink(settings, subscriptions, null, new Listener());
    link.start();
  }

  /** Connected with every subscription granted by the broker. */
  @Override
  public boolean connected() {
    MqttLink l = link;
    return l != null && l.connected();
  }

  @Override
  public boolean publish(Topic topic, Message message) {
    return send(
        topic.name(),
        codec.encode(message),
        topic.kind().qos(),
        topic.kind().retained(),
        MqttLink.PublishOptions.NONE);
  }

  /** Publishes a request with expiry, response topic and correlation data (the contract). */
  @Override
  public boolean request(InferenceRequest r) {
    long left = r.messageExpirySeconds(clock.instant());
    return send(
        Topic.requests(r.agentId(), r.modelId()).name(),
        codec.encode(r),
        1,
        false,
        new MqttLink.PublishOptions(
                r.replyTo(), r.requestId().value().getBytes(StandardCharsets.UTF_8), left)
            .withUserProperties(dev.moe2.mqtt.TraceContext.current()));
  }

  private boolean send(
      String topic, byte[] payload, int qos, boolean retained, MqttLink.PublishOptions o) {
    MqttLink l = link;
    if (l == null || !l.connected()) {
      return false;
    }
    try {
      l.publish(topic, payload, qos, retained, o, null);
      return true;
    } catch (LinkException e) {
      LOG.warnf("cannot publish on %s: %s", topic, e.getMessage());
      return false;
    }
  }

  /** After the services that publish, before the embedded broker ({@link BrokerService#STOP}). */
  static final int STOP = 3000;

  void stop(@Observes @Priority(STOP) ShutdownEvent event) {
    MqttLink l = link;
    if (l != null) {
      l.close();
    }
  }

  private final class Listener implements MqttLink.Listener {
    @Override
    public void connected(boolean reconnect) {
      LOG.infof(
          "%s to the broker %s; subscribed to the fleet topics and %s",
          reconnect ? "reconnected" : "connected", broker.uri(), Topic.repliesFilter(id));
    }

    @Override
    public void lost(String cause) {
      LOG.warnf("lost the broker %s: %s", broker.uri(), cause);
      fleet.linkLost();
    }

    @Override
    public void arrived(MqttLink.Incoming in) {
      try {
        Topic topic = Topic.parse(in.topic());
        if (in.payload().length == 0) {
          return; // a cleared retained message
        }
        Message m = codec.decode(topic, in.payload());
        switch (topic.kind()) {
          case BIRTH, STATE, PROFILE, ERRORS -> fleet.accept(topic, m);
          case REPLIES -> {
            if (!(m instanceof dev.moe2.protocol.PartialOutput)) {
              Traces.arrived(tracer, in.userProperties(), topic);
            }
            replies.accept(topic, m);
          }
          default -> LOG.debugf("ignoring %s", in.topic());
        }
      } catch (ProtocolException e) {
        malformed.incrementAndGet();
        LOG.warnf("dropped a malformed message: %s", e.getMessage());
      } catch (RuntimeException e) {
        malformed.incrementAndGet();
        LOG.warnf(e, "dropped a message on %s that could not be handled", in.topic());
      }
    }
  }
}
