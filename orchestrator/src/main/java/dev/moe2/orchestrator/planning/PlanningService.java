package dev.moe2.orchestrator.planning;

import dev.moe2.optimizer.BudgetSweep;
import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.DevicePlan;
import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Rates;
import dev.moe2.optimizer.Selection;
import dev.moe2.orchestrator.broker.LinkUp;
import dev.moe2.orchestrator.broker.MessageBus;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.AgentView;
import dev.moe2.orchestrator.fleet.FleetChanged;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.planning.FleetProblems;
import dev.moe2.planning.Qualities;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ModelCatalog;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps the current plan (method.md §3): re-plans with the exact DMO selector when the fleet, a
 * budget or a profile (drift) changes, sends each agent its part (retained), and says which experts
 * are usable — only those whose agent has confirmed the applied state.
 */
@Singleton
public class PlanningService {

  private static final Logger LOG = Logger.getLogger(PlanningService.class);
  private static final Fleet.Link LAN = new Fleet.Link(1.0, 1000, "assumed: site LAN");

  private final FleetRegistry fleet;
  private final MessageBus link;
  private final ModelCatalog models;
  private final Qualities qualities;
  private final OrchestratorConfig config;
  private final ExecutorService plannerThread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "moe2-planner");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean pending = new AtomicBoolean();
  private final java.util.Queue<String> reasons =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Counter replans;
  private final Timer planTime;
  private final Deque<PlanRecord> history = new ArrayDeque<>();
  private final Object categoriesLock = new Object();
  private volatile CategoriesFile categories;
  private volatile PlanRecord current;
  private volatile PlanRecord lastApplied;
  private volatile Instant lastReplanAt;
  private final BudgetedPlanner planner;
  private final Clock clock;
  private long nextVersion;

  /** Plans in the database; null when alone without one (tests). */
  private final PlanStore plans;

  /** The planning lease among replicas; null when alone without a database (tests). */
  private final PlanningLease lease;

  private volatile boolean leading;
  private final java.util.concurrent.ScheduledExecutorService coordinator =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "moe2-planning-lease");
            t.setDaemon(true);
            return t;
          });

  /** Alone, without a database: this process always plans and stores nothing (tests). */
  PlanningService(
      FleetRegistry fleet,
      MessageBus link,
      OrchestratorConfig config,
      MeterRegistry metrics,
      Clock clock) {
    this(fleet, link, config, metrics, clock, null);
  }

  @jakarta.inject.Inject
  PlanningService(
      FleetRegistry fleet,
      MessageBus link,
      OrchestratorConfig config,
      MeterRegistry metrics,
      Clock clock,
      dev.moe2.orchestrator.store.Store store) {
    this.plans = store == null ? null : new PlanStore(store);
    this.lease =
        store == null
            ? null
            : new PlanningLease(
                store, config.orchestratorId(), config.planning().leaseTtl(), clock);
    this.leading = store == null;
    this.fleet = fleet;
    this.link = link;
    this.config = config;
    this.clock = clock;
    this.planner = new BudgetedPlanner(config.planning().timeBudget(), 1);
    this.categories =
        config.planning().categories().map(CategoriesFile::load).orElseGet(CategoriesFile::builtIn);
    this.models = fleet.catalog().modelCatalog("routerdc-7");
    Path routerDc = SharedData.routerDc(config.shared().dir());
    this.qualities =
        Qualities.fromRouterDc(routerDc, models, categories, config.planning().maxPrompts());
    this.nextVersion = clock.millis(); // grows across restarts: agents ignore older
    this.replans =
        Counter.builder("moe2_replans_total")
            .description("plans made by this replica (fleet, budget or drift changes)")
            .register(metrics);
    this.planTime =
        Timer.builder("moe2_plan_time")
            .description("time the optimizer took for one plan")
            .serviceLevelObjectives(
                java.time.Duration.ofMillis(1),
                java.time.Duration.ofMillis(10),
                java.time.Duration.ofMillis(100),
                java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(10))
            .register(metrics);
    io.micrometer.core.instrument.Gauge.builder("moe2_planner", this, s -> s.leading ? 1 : 0)
        .description("1 while this replica holds the planning lease (plans), else 0")
        .register(metrics);
  }

  /**
   * Before the broker link: the latest stored plan is the current one (its version stays the floor
   * of the next), and the lease is taken when free; then kept, or watched, every third of its time
   * to live.
   */
  void startCoordination(
      @Observes @jakarta.annotation.Priority(6) io.quarkus.runtime.StartupEvent e) {
    if (lease == null) {
      return;
    }
    joinReplicas();
    long every = Math.max(100, config.planning().leaseTtl().toMillis() / 3);
    coordinator.scheduleWithFixedDelay(this::coordinate, every, every, TimeUnit.MILLISECONDS);
  }

  /** The latest stored plan becomes the current one; then the lease is taken when free. */
  void joinReplicas() {
    nextVersion = Math.max(nextVersion, plans.maxVersion());
    follow();
    coordinate();
  }

  /** Whether this replica is the planner now. */
  public boolean planner() {
    return leading;
  }

  /** Who plans now (the lease's holder), when known. */
  public Optional<String> plannerId() {
    return lease == null ? Optional.of(config.orchestratorId()) : lease.holder();
  }

  void coordinate() {
    try {
      boolean was = leading;
      boolean now = lease.tick();
      leading = now;
      if (now && !was) {
        LOG.infof("%s is the planner now (lease term %d)", config.orchestratorId(), lease.term());
        plannerThread.execute(
            () -> {
              nextVersion = Math.max(nextVersion, plans.maxVersion());
              requestReplan("took over planning (lease term " + lease.term() + ")");
            });
      } else if (!now && was) {
        LOG.warnf(
            "%s is not the planner any more: following the stored plans", config.orchestratorId());
      }
      if (!now) {
        plannerThread.execute(this::follow);
      }
    } catch (RuntimeException ex) {
      LOG.warn("planning lease: tick failed", ex);
    }
  }

  /**
   * A replica that does not plan takes the latest stored plan: the same inputs planned again (the
   * exact optimizer's answer is the same), with the planner's version and parts.
   */
  private synchronized void follow() {
    if (leading) {
      return;
    }
    long have = current == null ? 0 : current.version();
    PlanStore.Stored s;
    try {
      s = plans.latestAfter(have).orElse(null);
    } catch (RuntimeException ex) {
      LOG.warnf("cannot follow the stored plans: %s", ex.getMessage());
      return;
    }
    if (s == null) {
      return;
    }
    // the plan is made again from its own inputs (its budgets too); the replica's budgets stay
    // those of the database (BudgetHistory), which the planner's next plan uses
    CategoriesFile cats =
        new CategoriesFile(
            s.inputs().categories(), categories.delayRule(), categories.aggregation());
    Problem p = problem(cats, s.inputs().agents());
    if (p == null) {
      return;
    }
    long t0 = System.nanoTime();
    Selection sel = planner.select(p);
    double ms = (System.nanoTime() - t0) / 1e6;
    Map<String, PlanAssignment> parts = new LinkedHashMap<>();
    Map<String, Long> confirmAt = new LinkedHashMap<>();
    s.parts()
        .forEach(
            (agent, part) -> {
              parts.put(agent, part.assignment(agent));
              confirmAt.put(agent, part.confirmAt());
            });
    if (Math.abs(sel.objective() - s.objective()) > 1e-6) {
      LOG.warnf(
          "plan %d planned again gives G=%.6f, the planner's G=%.6f: serving with the planner's"
              + " parts (experts whose agents run something else are not used)",
          s.version(), sel.objective(), s.objective());
    }
    PlanRecord record =
        new PlanRecord(
            s.version(),
            s.createdAt(),
            s.reason() + " (planned by " + s.planner() + ")",
            sel,
            p,
            parts,
            confirmAt,
            ms,
            s.optimality());
    current = record;
    nextVersion = Math.max(nextVersion, s.version());
    remember(record);
    LOG.infof("following plan %d of %s (%s)", s.version(), s.planner(), s.reason());
  }

  void onFleetChanged(@Observes FleetChanged event) {
    if (!leading && lease != null) {
      if (event.kind() == FleetChanged.Kind.PLAN_APPLIED) {
        plannerThread.execute(this::follow); // an agent applied a newer plan: read it now
      }
      return;
    }
    if (!event.kind().replans()) {
      return;
    }
    PlanRecord plan = current;
    if (event.kind() == FleetChanged.Kind.AGENT_BACK
        && plan != null
        && plan.assignments().containsKey(event.agent())) {
      return; // the plan still counts on it: it is confirmed again by its state, nothing to redo
    }
    requestReplan(event.reason());
  }

  /**
   * The link is back: parts of the current plan that their agents have not confirmed are sent again
   * (a publish may have failed while the link was down, and a restarted broker without persistence
   * lost the retained copies).
   */
  void onLinkUp(@Observes LinkUp event) {
    plannerThread.execute(this::resendUnconfirmed);
  }

  private void resendUnconfirmed() {
    PlanRecord plan = current;
    if (plan == null || !leading) {
      return;
    }
    plan.assignments()
        .forEach(
            (agent, part) -> {
              if (!confirmed(plan, agent)) {
                link.publish(Topic.plan(AgentId.of(agent)), part);
              }
            });
  }

  /** Schedules a re-plan (coalesced with any already waiting). */
  public void requestReplan(String reason) {
    reasons.add(reason);
    if (pending.compareAndSet(false, true)) {
      plannerThread.execute(
          () -> {
            pending.set(false);
            List<String> why = new ArrayList<>();
            for (String r; (r = reasons.poll()) != null; ) {
              why.add(r);
            }
            if (why.isEmpty()) {
              return; // drained by the run before
            }
            String all = String.join("; ", why);
            try {
              replan(all);
            } catch (RuntimeException e) {
              LOG.error("re-plan failed (" + all + ")", e);
            }
          });
    }
  }

  public List<CategoryConfig> categories() {
    return categories.categories();
  }

  public Optional<CategoryConfig> category(String id) {
    return categories.categories().stream().filter(c -> c.id().equals(id)).findFirst();
  }

  /** Changes a category's budgets or k and re-plans. */
  public CategoryConfig setBudget(String id, Double delayS, Double energyJ, Integer k) {
    synchronized (categoriesLock) {
      return updateBudget(id, delayS, energyJ, k);
    }
  }

  private CategoryConfig updateBudget(String id, Double delayS, Double energyJ, Integer k) {
    CategoryConfig updated = changed(id, delayS, energyJ, k);
    categories = with(categories, updated);
    requestReplan("budgets of " + id + " changed");
    return updated;
  }

  /** Category {@code id} with the budgets and k given (null: unchanged). */
  private CategoryConfig changed(String id, Double delayS, Double energyJ, Integer k) {
    CategoryConfig c =
        category(id)
            .orElseThrow(() -> new IllegalArgumentException("unknown category '" + id + "'"));
    return new CategoryConfig(
        c.id(),
        c.inputTokens(),
        c.outputTokens(),
        c.weight(),
        k == null ? c.k() : k,
        delayS == null ? c.delayBudgetS() : delayS,
        energyJ == null ? c.energyBudgetJ() : energyJ,
        c.datasets());
  }

  /** {@code file} with {@code updated} in place of the category of its id. */
  private static CategoriesFile with(CategoriesFile file, CategoryConfig updated) {
    List<CategoryConfig> all = new ArrayList<>();
    for (CategoryConfig x : file.categories()) {
      all.add(x.id().equals(updated.id()) ? updated : x);
    }
    return new CategoriesFile(all, file.delayRule(), file.aggregation());
  }

  public Optional<PlanRecord> current() {
    return Optional.ofNullable(current);
  }

  /** Keeps {@code record} in the bounded history (callers hold this service's lock). */
  private void remember(PlanRecord record) {
    history.addLast(record);
    while (history.size() > config.planning().history()) {
      history.removeFirst();
    }
  }

  public synchronized List<PlanRecord> history() {
    return List.copyOf(history);
  }

  public Optional<Instant> lastReplanAt() {
    return Optional.ofNullable(lastReplanAt);
  }

  /** The optimizer problem for the online fleet now (null when no agent is online). */
  Problem problem(CategoriesFile cats) {
    return problem(cats, onlineInputs());
  }

  /** What a plan of the online fleet is made from: each agent, its models and slowdown. */
  private List<PlanStore.Agent> onlineInputs() {
    List<PlanStore.Agent> out = new ArrayList<>();
    for (AgentView a : fleet.onlineAgents()) {
      out.add(
          new PlanStore.Agent(
              a.id().value(),
              a.birth().deviceClass(),
              a.birth().experts().stream().map(e -> e.modelId().value()).distinct().toList(),
              a.plannedSlowdown()));
    }
    return out;
  }

  /** The optimizer problem for {@code agents} (null when none has a known device class). */
  private Problem problem(CategoriesFile cats, List<PlanStore.Agent> agents) {
    List<Fleet.Device> devices = new ArrayList<>();
    Map<String, PlanStore.Agent> byId = new HashMap<>();
    for (PlanStore.Agent a : agents) {
      try {
        devices.add(new Fleet.Device(a.id(), fleet.catalog().deviceClass(a.deviceClass()), LAN));
        byId.put(a.id(), a);
      } catch (RuntimeException e) {
        LOG.warnf(
            "agent %s has an unknown device class %s: left out of the plan",
            a.id(), a.deviceClass());
      }
    }
    if (devices.isEmpty()) {
      return null;
    }
    Fleet f = new Fleet("live", "the online agents", devices, models, null);
    Problem p =
        FleetProblems.build(
            f, cats, qualities, null, (device, model) -> byId.get(device).models().contains(model));
    return slowedDown(p, byId.values());
  }

  /** {@code p} with each agent's rates divided by the slowdown its plan was made with. */
  private static Problem slowedDown(Problem p, java.util.Collection<PlanStore.Agent> agents) {
    Problem.Builder b = p.toBuilder();
    boolean scaled = false;
    for (PlanStore.Agent a : agents) {
      double slow = a.slowdown();
      if (Math.abs(slow - 1) < 1e-9) {
        continue;
      }
      for (var d : p.devices()) {
        if (!d.id().equals(a.id())) {
          continue;
        }
        for (var mode : d.modes()) {
          for (var m : p.models()) {
            Rates r = p.rates(d.id(), mode.id(), m.id());
            if (r != null) {
              b.rates(d.id(), mode.id(), m.id(), r.slowedBy(slow));
              scaled = true;
            }
          }
        }
      }
    }
    return scaled ? b.build() : p;
  }

  synchronized void replan(String reason) {
    if (!leading) {
      LOG.debugf("not the planner: %s left to it", reason);
      return;
    }
    List<PlanStore.Agent> inputs = onlineInputs();
    CategoriesFile cats = categories;
    Problem p = problem(cats, inputs);
    lastReplanAt = clock.instant();
    if (p == null) {
      // the plan stays: no expert of it is routable while its agents are offline, and an agent
      // that comes back holding its part (a reconnect, or a new process that applied its retained
      // plan) serves again at once, before the re-plan its return triggers
      LOG.infof(
          "no agent online (%s): keeping plan %s until one is back",
          reason, current == null ? "none" : current.version());
      return;
    }
    long t0 = System.nanoTime();
    Selection s = planner.select(p);
    long nanos = System.nanoTime() - t0;
    planTime.record(nanos, TimeUnit.NANOSECONDS);
    replans.increment();
    PlanRecord record = assign(++nextVersion, reason, p, s, nanos / 1e6);
    current = record;
    if (plans != null) {
      try {
        plans.save(
            record, new PlanStore.Inputs(cats.categories(), inputs), config.orchestratorId());
      } catch (RuntimeException ex) {
        LOG.errorf("%s (the other replicas keep the plan before it)", ex.getMessage());
      }
    }
    remember(record);
    LOG.infof(
        "plan %d (%s): G=%.4f (%s) in %.1f ms; %s",
        record.version(),
        reason,
        s.objective(),
        record.optimality(),
        record.planMs(),
        s.plan().stream()
            .map(d -> d.deviceId() + "=" + (d.on() ? d.modeId() + d.models() : "off"))
            .toList());
    List<String> missed = missedAgents(s);
    if (!missed.isEmpty()) {
      // they came (back) online while this plan was being made: plan again with them
      requestReplan(missed + " came online while planning");
    }
  }

  /** Online agents of a known device class that the selection does not cover. */
  private List<String> missedAgents(Selection s) {
    java.util.Set<String> planned = new java.util.HashSet<>();
    s.plan().forEach(d -> planned.add(d.deviceId()));
    List<String> missed = new ArrayList<>();
    for (AgentView a : fleet.onlineAgents()) {
      String id = a.id().value();
      if (!planned.contains(id) && knownDeviceClass(a)) {
        missed.add(id);
      }
    }
    return missed;
  }

  private boolean knownDeviceClass(AgentView a) {
    try {
      fleet.catalog().deviceClass(a.birth().deviceClass());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Each agent's part of {@code s}: sent (retained) when it changed, else the part the agent
   * already holds, with the version it must confirm.
   */
  private PlanRecord assign(long version, String reason, Problem p, Selection s, double ms) {
    PlanRecord before = current;
    Instant now = clock.instant();
    Map<String, PlanAssignment> parts = new LinkedHashMap<>();
    Map<String, Long> confirmAt = new LinkedHashMap<>();
    for (DevicePlan dp : s.plan()) {
      AgentView a = fleet.agent(AgentId.of(dp.deviceId())).orElse(null);
      if (a == null) {
        continue;
      }
      String mode = dp.on() ? dp.modeId() : a.state().powerMode();
      PlanAssignment part =
          new PlanAssignment(
              a.id(), version, mode, dp.models().stream().map(ModelId::of).toList(), now);
      PlanAssignment previous = before == null ? null : before.assignments().get(dp.deviceId());
      Long previousAt = before == null ? null : before.confirmAt().get(dp.deviceId());
      boolean same =
          previous != null
              && previousAt != null
              && previous.powerMode().equals(part.powerMode())
              && previous.residentModels().equals(part.residentModels())
              && a.state().planVersion() >= previousAt;
      if (same) {
        parts.put(dp.deviceId(), previous);
        confirmAt.put(dp.deviceId(), previousAt);
      } else {
        parts.put(dp.deviceId(), part);
        confirmAt.put(dp.deviceId(), version);
        link.publish(Topic.plan(a.id()), part);
      }
    }
    return new PlanRecord(
        version, now, reason, s, p, parts, confirmAt, ms, PlanRecord.optimality(s));
  }

  /**
   * How one planned expert runs, as the plan was made: its rates at its mode (the planned slowdown
   * included), its device's link, and the bytes per token of the problem. Empty when the expert is
   * not in the current plan's problem.
   */
  public Optional<ExpertRates> rates(Expert e) {
    PlanRecord plan = current;
    if (plan == null) {
      return Optional.empty();
    }
    Problem p = plan.problem();
    Rates r = p.rates(e.deviceId(), e.modeId(), e.modelId());
    if (r == null) {
      return Optional.empty();
    }
    return p.devices().stream()
        .filter(d -> d.id().equals(e.deviceId()))
        .findFirst()
        .map(d -> new ExpertRates(r, d.link(), p.bytesPerToken(), p.aggregation()));
  }

  /** What {@link #rates} returns. */
  public record ExpertRates(
      Rates rates,
      dev.moe2.optimizer.LinkSpec link,
      double bytesPerToken,
      dev.moe2.optimizer.AggregationTime aggregation) {}

  /** Whether {@code agent} has applied its part of the current plan. */
  public boolean confirmed(String agent) {
    PlanRecord plan = current;
    return plan != null && confirmed(plan, agent);
  }

  /**
   * Confirmed: the agent's state says it applied this plan's version or a later one (not one from
   * the far future: versions are epoch-ms sized) <b>and</b> runs what its part asks — the power
   * mode and every resident model. A state that only claims a version confirms nothing.
   */
  private boolean confirmed(PlanRecord plan, String agent) {
    Long v = plan.confirmAt().get(agent);
    PlanAssignment part = plan.assignments().get(agent);
    if (v == null || part == null) {
      return false;
    }
    long ceiling = Math.max(plan.version(), clock.millis()) + MAX_VERSION_AHEAD_MS;
    return fleet
        .agent(AgentId.of(agent))
        .filter(AgentView::online)
        .map(AgentView::state)
        .filter(st -> st.planVersion() >= v && st.planVersion() <= ceiling)
        .filter(st -> part.powerMode().equals(st.powerMode()))
        .filter(
            st ->
                st.residentModels() != null
                    && st.residentModels().containsAll(part.residentModels()))
        .isPresent();
  }

  /** How far past this clock (and the current plan) a confirmed plan version may be, ms. */
  static final long MAX_VERSION_AHEAD_MS = 3_600_000;

  /**
   * The category's usable experts under the current plan whose agents have confirmed it: one per
   * model (the usable one, or a confirmed replica standing in). While a new plan is being applied
   * and none of its experts is confirmed yet, the last fully applied plan's experts serve, as long
   * as their agents are online and still hold the model: a re-plan never leaves a gap.
   */
  public List<Expert> usable(String category) {
    PlanRecord plan = current;
    if (plan == null) {
      return List.of();
    }
    List<Expert> now = confirmedUsable(plan, category, agent -> confirmed(plan, agent));
    if (allConfirmed(plan)) {
      lastApplied = plan;
    }
    PlanRecord before = lastApplied;
    if (!now.isEmpty() || before == null || before == plan) {
      return now;
    }
    return confirmedUsable(before, category, agent -> stillHolds(agent, before));
  }

  private List<Expert> confirmedUsable(
      PlanRecord plan, String category, java.util.function.Predicate<String> ok) {
    CategoryOutcome o = plan.selection().category(category);
    if (!o.feasible()) {
      return List.of();
    }
    List<Expert> out = new ArrayList<>();
    for (Expert e : o.usable()) {
      if (ok.test(e.deviceId())) {
        out.add(e);
        continue;
      }
      o.replicas().stream()
          .filter(r -> r.modelId().equals(e.modelId()) && ok.test(r.deviceId()))
          .findFirst()
          .ifPresent(out::add);
    }
    return out;
  }

  private boolean allConfirmed(PlanRecord plan) {
    return plan.assignments().keySet().stream().allMatch(agent -> confirmed(plan, agent));
  }

  /** The agent is online, in the plan's mode, with the plan's models resident. */
  private boolean stillHolds(String agent, PlanRecord plan) {
    PlanAssignment part = plan.assignments().get(agent);
    return part != null
        && fleet
            .agent(AgentId.of(agent))
            .filter(AgentView::online)
            .map(
                a ->
                    part.powerMode().equals(a.state().powerMode())
                        && a.state().residentModels().containsAll(part.residentModels()))
            .orElse(false);
  }

  /** All confirmed replicas of a model usable for the category, fastest first. */
  public List<Expert> replicas(String category, String model) {
    PlanRecord plan = current;
    if (plan == null || plan.selection().category(category) == null) {
      return List.of();
    }
    return plan.selection().category(category).replicas().stream()
        .filter(r -> r.modelId().equals(model) && confirmed(plan, r.deviceId()))
        .sorted(java.util.Comparator.comparingDouble(Expert::delayS))
        .toList();
  }

  /**
   * What a budget change would do, without making it: the fleet planned with the category's budgets
   * and k as given (null: unchanged) beside the plan with the current ones.
   *
   * @return the current and the proposed plan's outcome for the category; empty when no agent is
   *     online to plan for
   */
  public Optional<BudgetPreview> preview(String id, Double delayS, Double energyJ, Integer k) {
    CategoryConfig proposed = changed(id, delayS, energyJ, k);
    CategoriesFile now = categories;
    CategoryConfig c =
        now.categories().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    Problem before = problem(now);
    Problem after = problem(with(now, proposed));
    if (before == null || after == null) {
      return Optional.empty();
    }
    DmoSelector dmo = new DmoSelector(Long.MAX_VALUE, config.planning().timeBudget());
    return Optional.of(new BudgetPreview(c, proposed, dmo.select(before), dmo.select(after)));
  }

  /**
   * A budget change planned but not made.
   *
   * @param current the category as it is
   * @param proposed the category with the change
   * @param before the fleet's plan with the current budgets
   * @param after the fleet's plan with the proposed ones
   */
  public record BudgetPreview(
      CategoryConfig current, CategoryConfig proposed, Selection before, Selection after) {}

  /** The Pareto frontier of the objective against the category's energy budget, on this fleet. */
  public List<BudgetSweep.Point> pareto(String category, double[] energyBudgets) {
    Problem p = problem(categories);
    if (p == null) {
      return List.of();
    }
    return BudgetSweep.sweep(
        p,
        new DmoSelector(Long.MAX_VALUE, config.planning().timeBudget()),
        BudgetSweep.Axis.ENERGY,
        category,
        energyBudgets);
  }

  /**
   * Stopping behind a load balancer ({@code quarkus.shutdown.delay}): the lease goes to another
   * replica at once, while this one still answers what it has (with the plan it has).
   */
  void draining(@Observes io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
    handOver();
  }

  void stop(@Observes ShutdownEvent event) {
    handOver();
    plannerThread.shutdownNow();
  }

  private void handOver() {
    coordinator.shutdownNow();
    if (lease != null && leading) {
      leading = false;
      lease.release(); // the next replica takes over at its next tick, not after the lease's time
      LOG.infof("%s stops: planning lease handed over", config.orchestratorId());
    }
  }
}
