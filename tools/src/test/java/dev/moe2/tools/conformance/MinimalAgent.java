package dev.moe2.tools.conformance;

import dev.moe2.mqtt.MqttLink;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.EnergyReading;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.FinishReason;
import dev.moe2.protocol.HostedExpert;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Latency;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An agent written from the contract's "For implementers" steps alone (not the project's agent),
 * answering instantly with a fixed text: the kit must pass it, and must catch the one fault it can
 * be told to have.
 */
final class MinimalAgent implements AutoCloseable {

  private static final List<ModelId> MODELS =
      List.of(ModelId.of("zephyr-7b-beta"), ModelId.of("mistral-7b"));
  private static final Set<String> MODES = Set.of("maxn", "50w", "30w", "15w");

  private final AgentId id;
  private final boolean dedupeByRequestIdOnly;
  private final JsonCodec codec = new JsonCodec();
  private final long incarnation = System.currentTimeMillis();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final MqttLink link;
  private volatile String mode = "maxn";
  private volatile List<ModelId> resident = MODELS;
  private volatile long planVersion;

  /**
   * @param dedupeByRequestIdOnly the fault of issue 13: a second model of one request is dropped
   */
  MinimalAgent(String brokerUri, String agentId, boolean dedupeByRequestIdOnly) {
    this.id = AgentId.of(agentId);
    this.dedupeByRequestIdOnly = dedupeByRequestIdOnly;
    this.link =
        new MqttLink(
            new MqttLink.Settings(
                brokerUri,
                agentId, // step 1: client id = agent id, clean start, the offline state as will
                null,
                null,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                null,
                1),
            List.of( // step 2: requests, plan, own state (QoS 1)
                new MqttLink.Subscription(Topic.requestsFilter(id), 1),
                new MqttLink.Subscription(Topic.plan(id).name(), 1),
                new MqttLink.Subscription(Topic.state(id).name(), 1)),
            () ->
                new MqttLink.Will(
                    Topic.state(id).name(),
                    codec.encode(state(AgentStatus.OFFLINE, "connection-lost")),
                    1,
                    true),
            new MqttLink.Listener() {
              @Override
              public void connected(boolean reconnect) {
                // step 3: birth, then the online state, both retained
                publish(Topic.birth(id), birth());
                publish(Topic.state(id), state(AgentStatus.ONLINE, "started"));
              }

              @Override
              public void arrived(MqttLink.Incoming m) {
                onMessage(m);
              }
            });
    link.start();
  }

  private Birth birth() {
    return new Birth(
        id,
        incarnation,
        "jetson-agx-orin-64gb",
        mode,
        59392,
        MODELS.stream().map(m -> new HostedExpert(m, "q4_k_m", "simulated", true)).toList(),
        "minimal-0.1",
        "jetson-agx-orin-64gb",
        now());
  }

  private AgentState state(AgentStatus status, String reason) {
    return new AgentState(
        id,
        incarnation,
        status,
        status == AgentStatus.ONLINE ? mode : null,
        status == AgentStatus.ONLINE ? resident : List.of(),
        planVersion,
        reason,
        now());
  }

  private void onMessage(MqttLink.Incoming m) {
    Topic topic;
    try {
      topic = Topic.parse(m.topic());
    } catch (ProtocolException e) {
      return;
    }
    switch (topic.kind()) {
      case PLAN -> onPlan(topic, m.payload());
      case STATE -> onOwnState(topic, m.payload());
      case REQUESTS -> onRequest(topic, m);
      default -> {}
    }
  }

  private void onPlan(Topic topic, byte[] payload) {
    if (payload.length == 0) {
      return; // a cleared plan: keep the current state
    }
    PlanAssignment plan = codec.decode(topic, payload, PlanAssignment.class);
    if (plan.planVersion() <= planVersion) {
      return; // already applied: a redelivery
    }
    if (!MODES.contains(plan.powerMode())) {
      publish(
          Topic.errors(id),
          new ErrorReport(
              null,
              id,
              null,
              ErrorCode.PLAN_REJECTED,
              "plan " + plan.planVersion() + ": unknown power mode " + plan.powerMode(),
              false,
              now()));
      publish(Topic.state(id), state(AgentStatus.ONLINE, "plan-rejected"));
      return;
    }
    mode = plan.powerMode();
    resident = plan.residentModels();
    planVersion = plan.planVersion();
    publish(Topic.state(id), state(AgentStatus.ONLINE, "plan-applied"));
  }

  private void onOwnState(Topic topic, byte[] payload) {
    if (payload.length == 0) {
      return;
    }
    AgentState s = codec.decode(topic, payload, AgentState.class);
    if (s.status() == AgentStatus.OFFLINE && s.incarnation() == incarnation) {
      publish(Topic.state(id), state(AgentStatus.ONLINE, "reasserted"));
    }
  }

  private void onRequest(Topic topic, MqttLink.Incoming m) {
    InferenceRequest r;
    try {
      r = codec.decode(topic, m.payload(), InferenceRequest.class);
    } catch (ProtocolException e) {
      ErrorReport error =
          new ErrorReport(
              null, id, null, ErrorCode.MALFORMED_REQUEST, e.getMessage(), false, now());
      if (m.responseTopic() != null) {
        reply(m.responseTopic(), m.correlationData(), error);
      } else {
        publish(Topic.errors(id), error);
      }
      return;
    }
    String key =
        dedupeByRequestIdOnly
            ? r.requestId().value()
            : r.requestId().value() + "#" + r.modelId().value() + "#" + r.attempt();
    if (!seen.add(key)) {
      return;
    }
    String to = r.replyTo(); // the payload's replyTo is authoritative (the contract)
    byte[] correlation = m.correlationData();
    if (!now().isBefore(r.deadline())) {
      reply(to, correlation, error(r, ErrorCode.DEADLINE_EXCEEDED, "deadline passed on arrival"));
      return;
    }
    if (!resident.contains(r.modelId())) {
      reply(to, correlation, error(r, ErrorCode.UNKNOWN_EXPERT, r.modelId() + " not resident"));
      return;
    }
    reply(
        to,
        correlation,
        new InferenceReply(
            r.requestId(),
            id,
            r.modelId(),
            "Jupiter",
            12,
            2,
            FinishReason.STOP,
            new Latency(
                Duration.ofMillis(5),
                Duration.ofMillis(1),
                Duration.ofMillis(2),
                Duration.ofMillis(9)),
            new EnergyReading(Joules.of(0.5), EnergySource.SIMULATED),
            mode,
            now()));
    publish(
        Topic.profile(id),
        new ProfileReport(
            id,
            incarnation,
            mode,
            now().minusSeconds(1),
            now(),
            null,
            List.of(
                new ExpertProfile(
                    r.modelId(),
                    1,
                    Duration.ofMillis(5),
                    Duration.ofMillis(1),
                    Duration.ofMillis(2),
                    Duration.ofMillis(9),
                    Duration.ofMillis(9),
                    Duration.ofMillis(9),
                    Joules.of(0.5),
                    Joules.of(0.25),
                    EnergySource.SIMULATED))));
  }

  private ErrorReport error(InferenceRequest r, ErrorCode code, String message) {
    return new ErrorReport(r.requestId(), id, r.modelId(), code, message, true, now());
  }

  private void reply(String topic, byte[] correlation, Message m) {
    link.publish(
        topic,
        codec.encode(m),
        1,
        false,
        new MqttLink.PublishOptions(null, correlation, null),
        null); // on the link's callback thread: never wait for the broker there
  }

  private void publish(Topic topic, Message m) {
    link.publish(
        topic.name(),
        codec.encode(m),
        topic.kind().qos(),
        topic.kind().retained(),
        MqttLink.PublishOptions.NONE,
        null);
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  @Override
  public void close() {
    publish(Topic.state(id), state(AgentStatus.OFFLINE, "shutdown"));
    link.close();
  }
}
