package dev.moe2.orchestrator.fleet;

import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The fleet, rebuilt from retained births and states (contract: liveness). A state or will of an
 * older incarnation never overrides a newer birth, so a stale message never resurrects a dead agent
 * nor kills a live one. Profile reports update each agent's measured slowdown; drift beyond the
 * threshold, and every online/offline transition, fires {@link FleetChanged}.
 */
@Singleton
public class FleetRegistry {

  private static final Logger LOG = Logger.getLogger(FleetRegistry.class);

  private final Map<AgentId, AgentView> agents = new ConcurrentHashMap<>();
  private final java.util.function.Consumer<FleetChanged> changed;
  private final ProfileCatalog catalog = ProfileCatalog.builtIn();
  private final double driftThreshold;
  private final int driftAgreement;
  private final AtomicInteger online = new AtomicInteger();

  /**
   * Per agent: the consecutive measured slowdowns that drifted the same way from the planned one,
   * not yet agreed on by {@link #driftAgreement} reports.
   */
  private final Map<AgentId, List<Double>> driftWindow = new ConcurrentHashMap<>();

  /** When each agent's slowdown was last measured (a profile report with usable samples). */
  private final Map<AgentId, Instant> measuredAt = new ConcurrentHashMap<>();

  private final Clock clock;

  @jakarta.inject.Inject
  FleetRegistry(
      Event<FleetChanged> changed, OrchestratorConfig config, MeterRegistry metrics, Clock clock) {
    this(
        changed::fire,
        config.planning().driftThreshold(),
        config.planning().driftAgreement(),
        metrics,
        clock);
  }

  /** Without CDI (tests): {@code changed} is told of every change. */
  public FleetRegistry(
      java.util.function.Consumer<FleetChanged> changed,
      double driftThreshold,
      MeterRegistry metrics) {
    this(changed, driftThreshold, metrics, Clock.systemUTC());
  }

  /** Without CDI (tests), with the clock that stamps profile arrivals; one report is a drift. */
  public FleetRegistry(
      java.util.function.Consumer<FleetChanged> changed,
      double driftThreshold,
      MeterRegistry metrics,
      Clock clock) {
    this(changed, driftThreshold, 1, metrics, clock);
  }

  /**
   * Without CDI (tests).
   *
   * @param driftAgreement consecutive measured reports that must drift the same way before the
   *     planned slowdown moves
   */
  public FleetRegistry(
      java.util.function.Consumer<FleetChanged> changed,
      double driftThreshold,
      int driftAgreement,
      MeterRegistry metrics,
      Clock clock) {
    if (driftAgreement < 1) {
      throw new IllegalArgumentException(
          "driftAgreement has value " + driftAgreement + ": it must be >= 1");
    }
    this.changed = changed;
    this.driftThreshold = driftThreshold;
    this.driftAgreement = driftAgreement;
    this.clock = clock;
    io.micrometer.core.instrument.Gauge.builder(
            "moe2_fleet_online_agents", online, Number::doubleValue)
        .description("agents online now")
        .register(metrics);
  }

  /**
   * The re-admission rule (contract, <i>profile</i>): an online agent planned with a measured
   * slowdown whose last profile with samples is older than {@code expiry} (an agent planned out for
   * being slow gets no requests, so it can never show it has recovered) is planned at its device
   * profile's speed again. If it is still slow, its next report measures it again (drift).
   *
   * @return the agents re-admitted
   */
  public List<AgentId> readmitUnmeasured(Duration expiry) {
    Instant now = clock.instant();
    List<FleetChanged> fired = new ArrayList<>();
    synchronized (agents) {
      for (AgentView v : List.copyOf(agents.values())) {
        Instant at = measuredAt.get(v.id());
        if (!v.online()
            || Math.abs(v.plannedSlowdown() - 1) < 1e-9
            || at == null
            || at.plus(expiry).isAfter(now)) {
          continue;
        }
        agents.put(
            v.id(), new AgentView(v.id(), v.birth(), v.state(), v.profile(), 1, 1, v.stale()));
        measuredAt.remove(v.id());
        driftWindow.remove(v.id());
        fired.add(
            new FleetChanged(
                FleetChanged.Kind.DRIFT,
                v.id().value(),
                String.format(
                    "re-admission of %s: planned at %.2fx its profile, no samples for %s; planned"
                        + " at the profile again",
                    v.id(), v.plannedSlowdown(), Duration.between(at, now).withNanos(0))));
      }
    }
    for (FleetChanged c : fired) {
      LOG.info("fleet: " + c.reason());
      changed.accept(c);
    }
    return fired.stream().map(c -> AgentId.of(c.agent())).toList();
  }

  public Collection<AgentView> agents() {
    return List.copyOf(agents.values());
  }

  public Optional<AgentView> agent(AgentId id) {
    return Optional.ofNullable(agents.get(id));
  }

  public List<AgentView> onlineAgents() {
    return agents.values().stream().filter(AgentView::online).toList();
  }

  /**
   * The link to the broker dropped: nothing known of the agents is verified until their retained
   * (or re-published) states arrive again after the reconnect. Until then they count as offline for
   * routing; no re-plan is triggered, so an agent heard again finds its part of the plan unchanged.
   */
  public void linkLost() {
    synchronized (agents) {
      agents.replaceAll(
          (id, v) ->
              new AgentView(
                  id, v.birth(), v.state(), v.profile(), v.slowdown(), v.plannedSlowdown(), true));
      online.set(0);
    }
    LOG.info("fleet: the broker link dropped; every agent is unverified until heard again");
  }

  /** A fleet message arrived (birth, state, profile, error). */
  public void accept(Topic topic, Message message) {
    AgentId id = topic.agentId();
    FleetChanged change;
    synchronized (agents) {
      AgentView before = agents.getOrDefault(id, new AgentView(id, null, null, null, 1, 1, false));
      AgentView after = before;
      FleetChanged drift = null;
      if (message instanceof Birth b) {
        requireSameAgent(id, b.agentId());
        after = fromTheFuture(id, b.incarnation()) ? before : onBirth(before, b);
      } else if (message instanceof AgentState s) {
        requireSameAgent(id, s.agentId());
        after = fromTheFuture(id, s.incarnation()) ? before : onState(before, s);
      } else if (message instanceof ProfileReport p) {
        requireSameAgent(id, p.agentId());
        after = onProfile(before, p);
        if (after.plannedSlowdown() != before.plannedSlowdown()) {
          drift =
              new FleetChanged(
                  FleetChanged.Kind.DRIFT,
                  id.value(),
                  String.format("drift on %s: decode %.2fx the profile", id, after.slowdown()));
        }
      } else if (message instanceof ErrorReport e) {
        LOG.warnf("agent %s reports %s: %s", id, e.code().label(), e.message());
      }
      agents.put(id, after);
      FleetChanged transition = transition(before, after);
      change = transition != null ? transition : drift;
      online.set((int) agents.values().stream().filter(AgentView::online).count());
    }
    if (change != null) {
      LOG.info("fleet: " + change.reason());
      changed.accept(change);
    }
  }

  /** How far ahead of this clock an incarnation (an agent's start time, epoch ms) may be. */
  static final Duration MAX_INCARNATION_AHEAD = Duration.ofHours(1);

  /**
   * An incarnation far ahead of this clock is not a start time: a retained birth or state with one
   * would outrank every real incarnation forever. Ignored, with a warning.
   */
  private boolean fromTheFuture(AgentId id, long incarnation) {
    long limit = clock.millis() + MAX_INCARNATION_AHEAD.toMillis();
    if (incarnation > limit) {
      LOG.warnf(
          "ignoring a message of %s with incarnation %d: more than %s ahead of this clock (an"
              + " incarnation is the agent's start time in epoch ms)",
          id, incarnation, MAX_INCARNATION_AHEAD);
      return true;
    }
    return false;
  }

  /** A birth of the same or a newer incarnation replaces the old; only a state verifies it. */
  private static AgentView onBirth(AgentView before, Birth b) {
    if (before.birth() != null && b.incarnation() < before.birth().incarnation()) {
      return before;
    }
    boolean same = before.birth() != null && before.birth().incarnation() == b.incarnation();
    AgentState state =
        before.state() != null && before.state().incarnation() == b.incarnation()
            ? before.state()
            : null;
    return new AgentView(
        before.id(),
        b,
        state,
        same ? before.profile() : null,
        same ? before.slowdown() : 1,
        same ? before.plannedSlowdown() : 1,
        before.stale());
  }

  /**
   * A state of the current (or a newer) incarnation. Same incarnation: states arrive in order (QoS
   * 1 on one topic); the will carries the connect time as its timestamp, so timestamps must not
   * order them.
   */
  private static AgentView onState(AgentView before, AgentState s) {
    long current = before.birth() == null ? Long.MIN_VALUE : before.birth().incarnation();
    if (s.incarnation() < current
        || before.state() != null && s.incarnation() < before.state().incarnation()) {
      LOG.debugf("ignoring a stale state of %s (incarnation %d)", before.id(), s.incarnation());
      return before;
    }
    return new AgentView(
        before.id(),
        before.birth(),
        s,
        before.profile(),
        before.slowdown(),
        before.plannedSlowdown(),
        false);
  }

  /**
   * A profile report: the measured slowdown; drift away from what the plan was made with (not from
   * the last report, so noise around a steady value does not re-plan again and again) moves the
   * planned slowdown — once {@code driftAgreement} consecutive measured reports drift the same way
   * (trust, but verify: one report, true or forged, does not switch a device off), and then to the
   * least extreme of them.
   */
  private AgentView onProfile(AgentView before, ProfileReport p) {
    if (before.birth() == null || p.incarnation() != before.birth().incarnation()) {
      return before;
    }
    OptionalDouble measured = measuredSlowdown(before, p);
    double planned = before.plannedSlowdown();
    double next = planned;
    if (measured.isPresent()) {
      measuredAt.put(before.id(), clock.instant());
      double slowdown = measured.getAsDouble();
      List<Double> window = driftWindow.computeIfAbsent(before.id(), k -> new ArrayList<>());
      if (Math.abs(slowdown - planned) <= driftThreshold * planned) {
        window.clear();
      } else {
        if (!window.isEmpty()
            && Math.signum(window.get(0) - planned) != Math.signum(slowdown - planned)) {
          window.clear();
        }
        window.add(slowdown);
        if (window.size() >= driftAgreement) {
          next =
              window.stream()
                  .min(java.util.Comparator.comparingDouble(v -> Math.abs(v - planned)))
                  .orElse(slowdown);
          window.clear();
        } else {
          LOG.infof(
              "fleet: %s reports decode %.2fx the profile; %d of %d reports agree so far",
              before.id(), slowdown, window.size(), driftAgreement);
        }
      }
    }
    return new AgentView(
        before.id(),
        before.birth(),
        before.state(),
        p,
        measured.orElse(before.slowdown()),
        next,
        before.stale());
  }

  /** Online/offline and plan confirmations; an agent heard again after a link drop is neither. */
  private static FleetChanged transition(AgentView before, AgentView after) {
    AgentId id = after.id();
    if (before.stale() && after.online() && before.fresh().online()) {
      return new FleetChanged(
          FleetChanged.Kind.AGENT_BACK,
          id.value(),
          id + " heard again after the broker link returned");
    }
    if (before.online() != after.online()) {
      return after.online()
          ? new FleetChanged(FleetChanged.Kind.AGENT_ONLINE, id.value(), id + " online")
          : new FleetChanged(
              FleetChanged.Kind.AGENT_OFFLINE,
              id.value(),
              id
                  + " offline ("
                  + (after.state() == null ? "new incarnation" : after.state().reason())
                  + ")");
    }
    if (after.online()
        && before.state() != null
        && after.state() != before.state()
        && after.state().planVersion() != before.state().planVersion()) {
      return new FleetChanged(
          FleetChanged.Kind.PLAN_APPLIED,
          id.value(),
          id + " applied plan " + after.state().planVersion());
    }
    return null;
  }

  private static void requireSameAgent(AgentId topic, AgentId payload) {
    if (!topic.equals(payload)) {
      throw new IllegalArgumentException(
          "payload agentId " + payload + " differs from the topic's " + topic);
    }
  }

  /**
   * Mean over the report's experts of measured decode time per token (the agent's EWMA) / the
   * device profile's at the report's power mode; empty when no expert of the report can be compared
   * (unknown device class or model, no decode samples).
   */
  /** How far (either way) a profile figure may be from its device class's before it is ignored. */
  static final double MAX_PROFILE_RATIO = 10;

  private OptionalDouble measuredSlowdown(AgentView view, ProfileReport p) {
    DeviceClass dc;
    try {
      dc = catalog.deviceClass(view.birth().deviceClass());
    } catch (RuntimeException e) {
      return OptionalDouble.empty();
    }
    double sum = 0;
    int n = 0;
    for (ExpertProfile e : p.experts()) {
      Optional<ModelDescriptor> m = model(e.modelId().value());
      if (m.isEmpty()
          || !dc.sizeClasses().contains(m.get().sizeClass())
          || e.decodePerToken().isZero()) {
        continue;
      }
      double predictedMs =
          1000 / dc.performance(m.get().sizeClass(), p.powerMode()).decodeTokPerS().value();
      double ratio = e.decodePerToken().toNanos() / 1e6 / predictedMs;
      if (ratio > MAX_PROFILE_RATIO || ratio < 1 / MAX_PROFILE_RATIO) {
        LOG.warnf(
            "ignoring %s's decode time for %s: %.3f ms a token is %.1fx its device class's %.3f ms"
                + " (more than %.0fx off is not a measurement of this device)",
            view.id(),
            e.modelId(),
            e.decodePerToken().toNanos() / 1e6,
            ratio,
            predictedMs,
            MAX_PROFILE_RATIO);
        continue;
      }
      sum += ratio;
      n++;
    }
    return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n);
  }

  public Optional<ModelDescriptor> model(String id) {
    return catalog.modelCatalogs().stream()
        .flatMap(c -> c.models().stream())
        .filter(m -> m.id().equals(id))
        .findFirst();
  }

  public ProfileCatalog catalog() {
    return catalog;
  }
}
