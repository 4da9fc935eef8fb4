package dev.moe2.orchestrator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.optimizer.Expert;
import dev.moe2.orchestrator.broker.MessageBus;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.FleetChanged;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.HostedExpert;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.PlanAssignment;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The planning service without a broker: plans, confirmations, and reads during re-plans. */
class PlanningServiceTest {

  static final Instant T = Instant.parse("2026-11-29T08:00:00Z");
  static final List<String> MODELS =
      ProfileCatalog.builtIn().modelCatalog("routerdc-7").models().stream()
          .map(ModelDescriptor::id)
          .toList();

  /** Records the plans it is asked to publish. */
  static final class RecordingBus implements MessageBus {
    final Map<String, PlanAssignment> plans = new ConcurrentHashMap<>();

    @Override
    public OrchestratorId id() {
      return OrchestratorId.of("orch-test");
    }

    @Override
    public boolean connected() {
      return true;
    }

    @Override
    public boolean publish(Topic topic, Message message) {
      if (message instanceof PlanAssignment p) {
        plans.put(p.agentId().value(), p);
      }
      return true;
    }

    @Override
    public boolean request(InferenceRequest request) {
      return true;
    }
  }

  static OrchestratorConfig config(String... keyValues) {
    SmallRyeConfigBuilder b =
        new SmallRyeConfigBuilder()
            .withMapping(OrchestratorConfig.class)
            .withConverter(
                java.time.Duration.class,
                100,
                new io.quarkus.runtime.configuration.DurationConverter())
            .withDefaultValue("moe2.shared.dir", SharedData.dir().toString())
            .withDefaultValue("moe2.planning.max-prompts", "60");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.withDefaultValue(keyValues[i], keyValues[i + 1]);
    }
    SmallRyeConfig c = b.build();
    return c.getConfigMapping(OrchestratorConfig.class);
  }

  final List<FleetChanged> events = new ArrayList<>();
  final FleetRegistry fleet = new FleetRegistry(events::add, 0.25, new SimpleMeterRegistry());
  final RecordingBus bus = new RecordingBus();
  final AtomicLong incarnations = new AtomicLong(1000);

  void join(String id, String deviceClass, String mode) {
    long inc = incarnations.incrementAndGet();
    AgentId a = AgentId.of(id);
    fleet.accept(
        Topic.birth(a),
        new Birth(
            a,
            inc,
            deviceClass,
            mode,
            61440,
            MODELS.stream()
                .map(m -> new HostedExpert(ModelId.of(m), "q4_k_m", "simulated", true))
                .toList(),
            "dev",
            deviceClass,
            T));
    state(id, inc, mode, List.of(), 0);
  }

  void state(String id, long inc, String mode, List<ModelId> resident, long version) {
    AgentId a = AgentId.of(id);
    fleet.accept(
        Topic.state(a),
        new AgentState(a, inc, AgentStatus.ONLINE, mode, resident, version, "test", T));
  }

  /** Every agent applies the part it was last sent. */
  void confirmAll() {
    bus.plans.forEach(
        (id, p) ->
            state(
                id,
                fleet.agent(AgentId.of(id)).orElseThrow().birth().incarnation(),
                p.powerMode(),
                p.residentModels(),
                p.planVersion()));
  }

  PlanningService service(OrchestratorConfig config) {
    return new PlanningService(fleet, bus, config, new SimpleMeterRegistry(), Clock.systemUTC());
  }

  @Test
  void replan_threeAgents_plansExactlyAndServesOnlyConfirmedExperts() {
    join("orin-1", "jetson-agx-orin-64gb", "maxn");
    join("orin-2", "jetson-agx-orin-64gb", "maxn");
    join("rtx-1", "rtx-4090", "pl450");
    PlanningService planning = service(config());

    planning.replan("test");

    PlanRecord plan = planning.current().orElseThrow();
    assertThat(plan.optimality()).isEqualTo("exact");
    assertThat(planning.usable("knowledge")).isEmpty(); // nobody confirmed yet
    confirmAll();
    assertThat(planning.usable("knowledge")).isNotEmpty();
    assertThat(plan.confirmAt()).containsOnlyKeys(plan.assignments().keySet());
  }

  @Test
  void replan_noAgentOnline_keepsThePlanSoAnAgentBackWithItsPartServesAtOnce() {
    join("rtx-1", "rtx-4090", "pl450");
    PlanningService planning = service(config());
    planning.replan("first");
    confirmAll();
    PlanRecord plan = planning.current().orElseThrow();
    PlanAssignment part = bus.plans.get("rtx-1");
    String served =
        List.of("knowledge", "math", "reasoning", "code").stream()
            .filter(c -> !planning.usable(c).isEmpty())
            .findFirst()
            .orElseThrow();
    long before = fleet.agent(AgentId.of("rtx-1")).orElseThrow().birth().incarnation();
    fleet.accept(
        Topic.state(AgentId.of("rtx-1")),
        new AgentState(
            AgentId.of("rtx-1"), before, AgentStatus.OFFLINE, null, List.of(), 0, "shutdown", T));

    planning.replan("rtx-1 offline");

    assertThat(planning.current()).contains(plan);
    assertThat(planning.usable(served)).as("nothing routable while it is offline").isEmpty();
    // a new process of the agent applied the retained part before any re-plan
    join("rtx-1", "rtx-4090", "pl450");
    long now = fleet.agent(AgentId.of("rtx-1")).orElseThrow().birth().incarnation();
    state("rtx-1", now, part.powerMode(), part.residentModels(), part.planVersion());
    assertThat(planning.confirmed("rtx-1")).isTrue();
    assertThat(planning.usable(served)).isNotEmpty();
  }

  @Test
  void confirmed_stateClaimingAVersionWithoutRunningThePart_confirmsNothing() {
    join("rtx-1", "rtx-4090", "pl450");
    PlanningService planning = service(config());
    planning.replan("first");
    PlanAssignment part = bus.plans.get("rtx-1");
    long inc = fleet.agent(AgentId.of("rtx-1")).orElseThrow().birth().incarnation();
    assertThat(part.residentModels()).isNotEmpty();

    // a forged (or broken) state: a far-future version, nothing resident
    state("rtx-1", inc, part.powerMode(), List.of(), 9_000_000_000_000_000L);
    assertThat(planning.confirmed("rtx-1")).isFalse();
    // the right version, but not the planned power mode
    String other = part.powerMode().equals("pl200") ? "pl300" : "pl200";
    state("rtx-1", inc, other, part.residentModels(), part.planVersion());
    assertThat(planning.confirmed("rtx-1")).isFalse();
    // what the part asks, at its version
    state("rtx-1", inc, part.powerMode(), part.residentModels(), part.planVersion());
    assertThat(planning.confirmed("rtx-1")).isTrue();
  }

  @Test
  void fleetChanged_planAppliedEvent_isNotAReasonToReplan() {
    assertThat(FleetChanged.Kind.PLAN_APPLIED.replans()).isFalse();
    assertThat(FleetChanged.Kind.AGENT_OFFLINE.replans()).isTrue();
    join("orin-1", "jetson-agx-orin-64gb", "maxn");

    assertThat(events)
        .extracting(FleetChanged::kind)
        .containsExactly(FleetChanged.Kind.AGENT_ONLINE);
  }

  @Test
  void usable_readDuringManyReplans_neverFailsAndOnlyNamesPlannedAgents() throws Exception {
    List<String> ids = List.of("orin-1", "orin-2", "rtx-1", "rtx-2");
    join("orin-1", "jetson-agx-orin-64gb", "maxn");
    join("orin-2", "jetson-agx-orin-64gb", "maxn");
    join("rtx-1", "rtx-4090", "pl450");
    join("rtx-2", "rtx-4090", "pl450");
    PlanningService planning = service(config());
    planning.replan("first");
    confirmAll();
    AtomicBoolean done = new AtomicBoolean();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    CountDownLatch readers = new CountDownLatch(2);
    for (int r = 0; r < 2; r++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (!done.get()) {
                    for (String c : List.of("knowledge", "math", "reasoning", "code")) {
                      for (Expert e : planning.usable(c)) {
                        assertThat(ids).contains(e.deviceId());
                        planning.replicas(c, e.modelId());
                      }
                    }
                    ids.forEach(planning::confirmed);
                    reads.incrementAndGet();
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  readers.countDown();
                }
              });
      t.start();
    }
    for (int i = 0; i < 40; i++) {
      planning.setBudget("knowledge", null, i % 2 == 0 ? 40.0 : 60.0, null);
      planning.replan("hammer " + i);
      if (i % 3 == 0) {
        confirmAll();
      }
    }
    done.set(true);
    readers.await();

    assertThat(failures).isEmpty();
    assertThat(reads.get()).isPositive();
    confirmAll();
    assertThat(planning.usable("knowledge")).isNotEmpty();
  }
}
