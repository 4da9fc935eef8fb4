package dev.moe2.edgeagent;

import dev.moe2.edgeagent.energy.EnergyMeter;
import dev.moe2.edgeagent.mqtt.AgentLink;
import dev.moe2.edgeagent.plan.PlanApplier;
import dev.moe2.edgeagent.power.PowerController;
import dev.moe2.edgeagent.profile.Profiler;
import dev.moe2.edgeagent.serve.HostedModel;
import dev.moe2.edgeagent.serve.RequestService;
import dev.moe2.mqtt.LinkException;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.ErrorCode;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.HostedExpert;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The edge agent: its parts wired by {@link AgentFactory}, and its life. On every (re)connect it
 * publishes its retained birth and an online state; it serves requests ({@link RequestService}),
 * applies plans ({@link PlanApplier}) and publishes the applied state, reports profiles every
 * interval and at once on drift, and on {@link #close()} publishes its offline state itself before
 * disconnecting normally.
 */
public final class Agent implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Agent.class.getName());

  /** What the agent is, for its birth. */
  public record Identity(
      AgentId id,
      String deviceClass,
      long memoryMiB,
      String profileId,
      String softwareVersion,
      long incarnation) {}

  private final Identity identity;
  private final Map<ModelId, HostedModel> models;
  private final EnergyMeter meter;
  private final PowerController power;
  private final Profiler profiler;
  private final PlanApplier plans;
  private final RequestService requests;
  private final AgentLink link;
  private final JsonCodec codec;
  private final Clock clock;
  private final Duration reportInterval;
  private final ExecutorService workers;
  private final ExecutorService planner =
      Executors.newSingleThreadExecutor(r -> daemon(r, "agent-plan"));
  private final ScheduledExecutorService reporter =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "agent-profile"));
  private final int maxConcurrent;
  private volatile Instant windowStart;
  private volatile String lastReason = "started";
  private volatile boolean closing;

  Agent(
      Identity identity,
      Map<ModelId, HostedModel> models,
      EnergyMeter meter,
      PowerController power,
      Profiler profiler,
      java.util.function.Function<String, java.util.Optional<dev.moe2.profiles.Performance>>
          profileRates,
      double memoryGiB,
      Function<Agent, AgentLink> linkFactory,
      JsonCodec codec,
      Clock clock,
      Duration reportInterval,
      int maxConcurrent,
      int dedupeCapacity) {
    this.identity = identity;
    this.maxConcurrent = maxConcurrent;
    this.models = Map.copyOf(models);
    this.meter = meter;
    this.power = power;
    this.profiler = profiler;
    this.codec = codec;
    this.clock = clock;
    this.reportInterval = reportInterval;
    this.plans = new PlanApplier(models, power, memoryGiB);
    this.link = linkFactory.apply(this);
    this.workers = Executors.newFixedThreadPool(maxConcurrent, r -> daemon(r, "agent-worker"));
    this.requests =
        new RequestService(
            identity.id(),
            models,
            meter,
            power::current,
            profileRates,
            profiler,
            () -> reporter.execute(this::report),
            link,
            codec,
            clock,
            workers,
            maxConcurrent,
            dedupeCapacity);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public AgentId id() {
    return identity.id();
  }

  public Identity identity() {
    return identity;
  }

  public RequestService.Counters counters() {
    return requests.counters();
  }

  public long appliedPlanVersion() {
    return plans.appliedVersion();
  }

  public String powerMode() {
    return power.current();
  }

  public List<ModelId> resident() {
    return plans.resident();
  }

  public boolean connected() {
    return link.connected();
  }

  /** The offline state the broker publishes if this agent dies (its last will). */
  AgentState lastWill() {
    return AgentState.lastWill(identity.id(), identity.incarnation(), clock.instant());
  }

  /** Connects (in the background) and starts reporting. Resident experts were loaded already. */
  public Agent start() {
    windowStart = clock.instant();
    link.start(
        new AgentLink.Listener() {
          @Override
          public void connected(boolean reconnect) {
            lastReason = reconnect ? "reconnected" : "started";
            announce();
          }

          @Override
          public void arrived(String topic, byte[] payload, String responseTopic) {
            dispatch(topic, payload, responseTopic, Map.of());
          }

          @Override
          public void arrived(
              String topic, byte[] payload, String responseTopic, Map<String, String> trace) {
            dispatch(topic, payload, responseTopic, trace);
          }
        });
    long every = reportInterval.toMillis();
    reporter.scheduleAtFixedRate(this::report, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  private void announce() {
    try {
      link.publish(Topic.birth(identity.id()), birth());
      link.publish(Topic.state(identity.id()), state(AgentStatus.ONLINE, lastReason));
    } catch (LinkException e) {
      LOG.log(
          System.Logger.Level.WARNING, "cannot announce {0}: {1}", identity.id(), e.getMessage());
    }
  }

  Birth birth() {
    return new Birth(
        identity.id(),
        identity.incarnation(),
        identity.deviceClass(),
        power.current(),
        identity.memoryMiB(),
        models.values().stream()
            .sorted(java.util.Comparator.comparing(m -> m.model().value()))
            .map(
                m ->
                    new HostedExpert(
                        m.model(), m.quantization(), m.backend().kind(), m.backend().loaded()))
            .toList(),
        identity.softwareVersion(),
        identity.profileId(),
        clock.instant(),
        maxConcurrent);
  }

  private AgentState state(AgentStatus status, String reason) {
    return new AgentState(
        identity.id(),
        identity.incarnation(),
        status,
        power.current(),
        plans.resident(),
        plans.appliedVersion(),
        reason,
        clock.instant());
  }

  private void dispatch(
      String topicName, byte[] payload, String responseTopic, Map<String, String> trace) {
    Topic topic;
    try {
      topic = Topic.parse(topicName);
    } catch (ProtocolException e) {
      LOG.log(
          System.Logger.Level.WARNING, "ignoring a message on {0}: {1}", topicName, e.getMessage());
      return;
    }
    switch (topic.kind()) {
      case REQUESTS -> requests.arrived(topicName, payload, responseTopic, trace);
      case CANCEL -> requests.cancelArrived(topicName, payload);
      case PLAN -> planner.execute(() -> onPlan(topic, payload));
      case STATE -> planner.execute(() -> onOwnState(topic, payload));
      default ->
          LOG.log(
              System.Logger.Level.WARNING,
              "ignoring a message on {0}: not for an agent",
              topicName);
    }
  }

  /**
   * Its own state as the broker holds it: the will of an earlier connection of this process can
   * arrive after the agent reconnected and said it is online (the broker publishes a will when it
   * notices the old connection is gone). Seen while connected, the agent says so again.
   */
  private void onOwnState(Topic topic, byte[] payload) {
    if (payload.length == 0 || closing) {
      return;
    }
    AgentState s;
    try {
      s = codec.decode(topic, payload, AgentState.class);
    } catch (ProtocolException e) {
      return;
    }
    if (s.status() == AgentStatus.OFFLINE
        && s.incarnation() == identity.incarnation()
        && link.connected()) {
      LOG.log(
          System.Logger.Level.INFO,
          "a stale offline state of this agent was published: online again");
      try {
        link.publish(Topic.state(identity.id()), state(AgentStatus.ONLINE, "reasserted"));
      } catch (LinkException e) {
        LOG.log(
            System.Logger.Level.WARNING, "cannot reassert the online state: {0}", e.getMessage());
      }
    }
  }

  private void onPlan(Topic topic, byte[] payload) {
    if (payload.length == 0) {
      LOG.log(
          System.Logger.Level.INFO,
          "plan cleared for {0}: keeping the current state",
          identity.id());
      return;
    }
    PlanAssignment plan;
    try {
      plan = codec.decode(topic, payload, PlanAssignment.class);
    } catch (ProtocolException e) {
      reportPlanError("malformed plan: " + e.getMessage(), ErrorCode.MALFORMED_REQUEST);
      return;
    }
    PlanApplier.Outcome outcome = plans.apply(plan);
    if (outcome.ignored()) {
      LOG.log(System.Logger.Level.DEBUG, "plan ignored: {0}", outcome.reason());
      return;
    }
    if (!outcome.applied()) {
      reportPlanError(outcome.reason(), ErrorCode.PLAN_REJECTED);
      lastReason = "plan-rejected";
    } else {
      LOG.log(
          System.Logger.Level.INFO,
          "plan {0} applied: mode {1}, resident {2}",
          plan.planVersion(),
          power.current(),
          plans.resident());
      lastReason = "plan-applied";
    }
    try {
      link.publish(Topic.birth(identity.id()), birth());
      link.publish(Topic.state(identity.id()), state(AgentStatus.ONLINE, lastReason));
    } catch (LinkException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot publish the applied state: {0}", e.getMessage());
    }
  }

  private void reportPlanError(String reason, ErrorCode code) {
    LOG.log(System.Logger.Level.WARNING, "plan not applied: {0}", reason);
    try {
      link.publish(
          Topic.errors(identity.id()),
          new ErrorReport(null, identity.id(), null, code, reason, false, clock.instant()));
    } catch (LinkException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot report the plan error: {0}", e.getMessage());
    }
  }

  /** Publishes the profile of the window now ending, when it has samples. */
  synchronized void report() {
    Instant end = clock.instant();
    List<ExpertProfile> experts = profiler.drain();
    Instant start = windowStart;
    windowStart = end;
    if (experts.isEmpty() || !link.connected()) {
      return;
    }
    try {
      link.publish(
          Topic.profile(identity.id()),
          new ProfileReport(
              identity.id(),
              identity.incarnation(),
              power.current(),
              start,
              end.isAfter(start) ? end : start.plusMillis(1),
              null,
              experts));
    } catch (LinkException | IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot publish the profile: {0}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closing = true;
    requests.stop();
    reporter.shutdownNow();
    planner.shutdownNow();
    try {
      if (link.connected()) {
        link.publishAndWait(
            Topic.state(identity.id()),
            state(AgentStatus.OFFLINE, "shutdown"),
            Duration.ofSeconds(2));
      }
    } catch (LinkException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot publish the offline state: {0}", e.getMessage());
    }
    link.close();
    workers.shutdownNow();
    models.values().forEach(m -> m.backend().close());
    meter.close();
  }
}
