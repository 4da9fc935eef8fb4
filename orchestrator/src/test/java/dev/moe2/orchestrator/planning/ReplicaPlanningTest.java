package dev.moe2.orchestrator.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.orchestrator.store.Store;
import dev.moe2.orchestrator.store.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replicas sharing one database, on H2 and on PostgreSQL: one planner by lease, the others follow
 * its stored plans with the same selection and parts, a new planner when the lease lapses, and plan
 * versions that only grow.
 */
class ReplicaPlanningTest {

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-29T08:00:00Z").toEpochMilli());

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }
  }

  static Iterable<TestDatabases.Db> databases() {
    return TestDatabases.both().toList();
  }

  final PlanningServiceTest fleet = new PlanningServiceTest();
  final TestClock clock = new TestClock();

  PlanningService replica(Store store, String id, PlanningServiceTest.RecordingBus bus) {
    return new PlanningService(
        fleet.fleet,
        bus,
        PlanningServiceTest.config("moe2.orchestrator-id", id, "moe2.planning.lease-ttl", "3s"),
        new SimpleMeterRegistry(),
        clock,
        store);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void joinReplicas_twoReplicas_onePlansTheOtherFollowsWithTheSamePlan(TestDatabases.Db db) {
    Store store = db.store();
    fleet.join("orin-1", "jetson-agx-orin-64gb", "maxn");
    fleet.join("rtx-1", "rtx-4090", "pl450");
    PlanningServiceTest.RecordingBus followerBus = new PlanningServiceTest.RecordingBus();
    PlanningService a = replica(store, "orch-a", fleet.bus);
    PlanningService b = replica(store, "orch-b", followerBus);

    a.joinReplicas();
    b.joinReplicas();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.current().isPresent());
    b.coordinate();
    await().atMost(Duration.ofSeconds(30)).until(() -> b.current().isPresent());

    assertThat(a.planner()).isTrue();
    assertThat(b.planner()).isFalse();
    assertThat(b.plannerId()).contains("orch-a");
    PlanRecord leader = a.current().orElseThrow();
    PlanRecord follower = b.current().orElseThrow();
    assertThat(follower.version()).isEqualTo(leader.version());
    assertThat(follower.assignments()).isEqualTo(leader.assignments());
    assertThat(follower.confirmAt()).isEqualTo(leader.confirmAt());
    assertThat(follower.selection().objective()).isEqualTo(leader.selection().objective());
    assertThat(followerBus.plans).as("a follower publishes no plan").isEmpty();
    fleet.confirmAll();
    assertThat(b.usable("knowledge")).isEqualTo(a.usable("knowledge")).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void coordinate_plannerStopsRenewing_anotherTakesOverAfterTheLeaseWithAHigherVersion(
      TestDatabases.Db db) {
    Store store = db.store();
    fleet.join("rtx-1", "rtx-4090", "pl450");
    PlanningService a = replica(store, "orch-a", fleet.bus);
    PlanningService b = replica(store, "orch-b", new PlanningServiceTest.RecordingBus());
    a.joinReplicas();
    b.joinReplicas();
    await().atMost(Duration.ofSeconds(30)).until(() -> a.current().isPresent());
    long first = a.current().orElseThrow().version();

    clock.advance(Duration.ofSeconds(2));
    b.coordinate();
    assertThat(b.planner()).as("the lease still runs").isFalse();
    clock.advance(Duration.ofMillis(1500)); // orch-a died: 3.5 s without renewal > 3 s
    b.coordinate();

    assertThat(b.planner()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> b.current().map(p -> p.version() > first).orElse(false));
    a.coordinate();
    assertThat(a.planner()).as("the old planner finds the lease taken").isFalse();
    assertThat(b.current().orElseThrow().reason()).contains("took over planning");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void joinReplicas_restartOnTheSameDatabase_keepsThePlanAndItsVersionGrows(TestDatabases.Db db) {
    Store store = db.store();
    fleet.join("rtx-1", "rtx-4090", "pl450");
    PlanningService before = replica(store, "orch-a", fleet.bus);
    before.joinReplicas();
    await().atMost(Duration.ofSeconds(30)).until(() -> before.current().isPresent());
    long version = before.current().orElseThrow().version();
    before.stop(null); // releases the lease

    clock.millis.addAndGet(-60_000); // even with a clock set back a minute
    PlanningService after = replica(store, "orch-a", fleet.bus);
    after.joinReplicas();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> after.current().map(p -> p.version() > version).orElse(false));
    assertThat(after.history().get(0).version()).as("the stored plan first").isEqualTo(version);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void change_throughOneReplica_storedWithWhoAndAppliedByTheOther(TestDatabases.Db db) {
    Store store = db.store();
    PlanningService a = replica(store, "orch-a", fleet.bus);
    PlanningService b = replica(store, "orch-b", new PlanningServiceTest.RecordingBus());
    BudgetHistory ha = new BudgetHistory(store, a, clock);
    BudgetHistory hb = new BudgetHistory(store, b, clock);
    double before = b.category("code").orElseThrow().energyBudgetJ();

    ha.change("code", null, 399.0, null, "operator1");
    hb.sync();

    assertThat(b.category("code").orElseThrow().energyBudgetJ()).isEqualTo(399.0);
    BudgetHistory.Change c = hb.recent(1).get(0);
    assertThat(c.by()).isEqualTo("operator1");
    assertThat(c.oldEnergyBudgetJ()).isEqualTo(before);
    assertThat(c.energyBudgetJ()).isEqualTo(399.0);
    ha.sync();
    assertThat(a.category("code").orElseThrow().energyBudgetJ())
        .as("its own change is not applied twice")
        .isEqualTo(399.0);
  }
}
