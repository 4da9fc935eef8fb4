package dev.moe2.orchestrator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.AgentState;
import dev.moe2.protocol.AgentStatus;
import dev.moe2.protocol.Birth;
import dev.moe2.protocol.EnergySource;
import dev.moe2.protocol.ExpertProfile;
import dev.moe2.protocol.HostedExpert;
import dev.moe2.protocol.Joules;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.ProfileReport;
import dev.moe2.protocol.Topic;
import dev.moe2.protocol.testing.MovingClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The liveness rules of the contract, from the orchestrator's side. */
class FleetRegistryTest {

  private static final AgentId A = AgentId.of("orin-a");
  private final List<FleetChanged> changes = new ArrayList<>();
  private final FleetRegistry fleet =
      new FleetRegistry(changes::add, 0.25, new SimpleMeterRegistry());
  private static final Instant T = Instant.parse("2026-11-25T08:00:00Z");

  private static Birth birth(long incarnation) {
    return new Birth(
        A,
        incarnation,
        "jetson-agx-orin-64gb",
        "maxn",
        61440,
        List.of(new HostedExpert(ModelId.of("zephyr-7b-beta"), "q4_k_m", "simulated", true)),
        "dev",
        "jetson-agx-orin-64gb",
        T);
  }

  private static AgentState state(long incarnation, AgentStatus status, Instant at, String reason) {
    return new AgentState(
        A,
        incarnation,
        status,
        status == AgentStatus.ONLINE ? "maxn" : null,
        List.of(),
        0,
        reason,
        at);
  }

  private void send(dev.moe2.protocol.Message m) {
    Topic t = m instanceof Birth ? Topic.birth(A) : Topic.state(A);
    fleet.accept(t, m);
  }

  @Test
  void accept_birthThenOnlineState_online() {
    send(birth(100));
    send(state(100, AgentStatus.ONLINE, T.plusSeconds(1), "started"));

    assertThat(fleet.agent(A).orElseThrow().online()).isTrue();
    assertThat(changes).extracting(FleetChanged::reason).containsExactly("orin-a online");
  }

  @Test
  void accept_willOfTheSameIncarnation_offlineEvenThoughItsTimestampIsTheConnectTime() {
    send(birth(100));
    send(state(100, AgentStatus.ONLINE, T.plusSeconds(5), "started"));
    send(state(100, AgentStatus.OFFLINE, T, "connection-lost"));

    assertThat(fleet.agent(A).orElseThrow().online()).isFalse();
  }

  @Test
  void accept_staleRetainedBirthWithOfflineState_neverResurrected() {
    // after an orchestrator restart: the dead agent's retained birth and offline state
    send(birth(100));
    send(state(100, AgentStatus.OFFLINE, T, "connection-lost"));

    assertThat(fleet.agent(A).orElseThrow().online()).isFalse();
    assertThat(fleet.onlineAgents()).isEmpty();
  }

  @Test
  void accept_lateWillOfThePreviousProcess_doesNotKillTheNewOne() {
    send(birth(100));
    send(state(100, AgentStatus.ONLINE, T, "started"));
    send(birth(200));
    send(state(200, AgentStatus.ONLINE, T.plusSeconds(10), "started"));
    send(state(100, AgentStatus.OFFLINE, T, "connection-lost"));

    AgentView v = fleet.agent(A).orElseThrow();
    assertThat(v.online()).isTrue();
    assertThat(v.state().incarnation()).isEqualTo(200);
  }

  @Test
  void accept_newBirthWithoutItsOnlineState_notRoutable() {
    send(birth(100));
    send(state(100, AgentStatus.ONLINE, T, "started"));
    send(birth(200));

    assertThat(fleet.agent(A).orElseThrow().online()).isFalse();
  }

  @Test
  void linkLost_agentUnverifiedUntilItsStateArrivesAgain_thenBackWithoutGoingOffline() {
    send(birth(100));
    send(state(100, AgentStatus.ONLINE, T.plusSeconds(1), "started"));

    fleet.linkLost();

    assertThat(fleet.agent(A).orElseThrow().online()).isFalse();
    assertThat(fleet.onlineAgents()).isEmpty();
    send(birth(100)); // a retained birth alone does not verify it
    assertThat(fleet.agent(A).orElseThrow().online()).isFalse();
    send(state(100, AgentStatus.ONLINE, T.plusSeconds(1), "started"));
    assertThat(fleet.agent(A).orElseThrow().online()).isTrue();
    assertThat(changes)
        .extracting(FleetChanged::kind)
        .containsExactly(FleetChanged.Kind.AGENT_ONLINE, FleetChanged.Kind.AGENT_BACK);
    assertThat(changes.get(1).agent()).isEqualTo("orin-a");
  }

  private static ProfileReport profile(long incarnation, Duration decodePerToken) {
    return new ProfileReport(
        A,
        incarnation,
        "maxn",
        T,
        T.plusSeconds(30),
        null,
        List.of(
            new ExpertProfile(
                ModelId.of("zephyr-7b-beta"),
                5,
                Duration.ofMillis(200),
                Duration.ofMillis(1),
                decodePerToken,
                Duration.ofSeconds(3),
                Duration.ofSeconds(4),
                Duration.ofSeconds(5),
                Joules.of(100),
                Joules.of(1),
                EnergySource.SIMULATED)));
  }

  /** A registry on {@code clock} where agent A of {@code incarnation} is online. */
  private FleetRegistry online(MovingClock clock, long incarnation) {
    FleetRegistry f = new FleetRegistry(changes::add, 0.25, new SimpleMeterRegistry(), clock);
    f.accept(Topic.birth(A), birth(incarnation));
    f.accept(Topic.state(A), state(incarnation, AgentStatus.ONLINE, T, "started"));
    return f;
  }

  @Test
  void readmitUnmeasured_slowAgentWithoutSamplesPastTheExpiry_plannedAtItsProfileAgain() {
    MovingClock clock = new MovingClock(T);
    FleetRegistry f = online(clock, 100);
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175))); // ~7x slower than predicted
    double slow = f.agent(A).orElseThrow().plannedSlowdown();
    assertThat(slow).isGreaterThan(5);

    clock.now = T.plus(Duration.ofMinutes(9));
    assertThat(f.readmitUnmeasured(Duration.ofMinutes(10))).isEmpty();
    clock.now = T.plus(Duration.ofMinutes(11));
    assertThat(f.readmitUnmeasured(Duration.ofMinutes(10))).containsExactly(A);

    AgentView v = f.agent(A).orElseThrow();
    assertThat(v.slowdown()).isEqualTo(1);
    assertThat(v.plannedSlowdown()).isEqualTo(1);
    assertThat(changes)
        .extracting(FleetChanged::kind)
        .containsExactly(
            FleetChanged.Kind.AGENT_ONLINE, FleetChanged.Kind.DRIFT, FleetChanged.Kind.DRIFT);
    assertThat(changes.get(2).reason()).startsWith("re-admission of orin-a");
    // measured afresh: still slow, so drift takes it out again
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175)));
    assertThat(f.agent(A).orElseThrow().plannedSlowdown()).isEqualTo(slow);
  }

  @Test
  void readmitUnmeasured_slowAgentStillReportingSamples_keepsItsSlowdown() {
    MovingClock clock = new MovingClock(T);
    FleetRegistry f = online(clock, 100);
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175)));
    clock.now = T.plus(Duration.ofMinutes(8));
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175)));

    clock.now = T.plus(Duration.ofMinutes(12));

    assertThat(f.readmitUnmeasured(Duration.ofMinutes(10))).isEmpty();
    assertThat(f.agent(A).orElseThrow().plannedSlowdown()).isGreaterThan(5);
  }

  @Test
  void accept_slowdownReportedOnce_plannedOnlyWhenTheNextReportAgrees() {
    MovingClock clock = new MovingClock(T);
    FleetRegistry f = new FleetRegistry(changes::add, 0.25, 2, new SimpleMeterRegistry(), clock);
    f.accept(Topic.birth(A), birth(100));
    f.accept(Topic.state(A), state(100, AgentStatus.ONLINE, T, "started"));

    // one slow report (true or forged) does not move the plan
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175)));
    assertThat(f.agent(A).orElseThrow().plannedSlowdown()).isEqualTo(1);
    // a normal report in between: the count starts again
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(25)));
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(175)));
    assertThat(f.agent(A).orElseThrow().plannedSlowdown()).isEqualTo(1);
    assertThat(changes).extracting(FleetChanged::kind).doesNotContain(FleetChanged.Kind.DRIFT);

    // the second consecutive slow report agrees: the plan takes the less extreme of the two
    f.accept(Topic.profile(A), profile(100, Duration.ofMillis(120)));
    AgentView v = f.agent(A).orElseThrow();
    assertThat(v.plannedSlowdown()).isGreaterThan(2).isEqualTo(v.slowdown());
    assertThat(changes).extracting(FleetChanged::kind).contains(FleetChanged.Kind.DRIFT);
  }

  @Test
  void accept_profileFarOffItsDeviceClass_ignoredSoNoDrift() {
    MovingClock clock = new MovingClock(T);
    FleetRegistry f = online(clock, 100);

    // 2 s a token: ~50x an AGX Orin's 7B decode time, not a measurement of this device
    f.accept(Topic.profile(A), profile(100, Duration.ofSeconds(2)));

    assertThat(f.agent(A).orElseThrow().slowdown()).isEqualTo(1);
    assertThat(changes).extracting(FleetChanged::kind).doesNotContain(FleetChanged.Kind.DRIFT);
  }

  @Test
  void accept_birthOrStateWithAnIncarnationFarInTheFuture_ignored() {
    MovingClock clock = new MovingClock(T);
    long now = T.toEpochMilli();
    FleetRegistry f = online(clock, now);

    // a forged retained birth and offline state with incarnation 9e15 would outrank it forever
    f.accept(Topic.birth(A), birth(9_000_000_000_000_000L));
    f.accept(Topic.state(A), state(9_000_000_000_000_000L, AgentStatus.OFFLINE, T, "forged"));

    AgentView v = f.agent(A).orElseThrow();
    assertThat(v.online()).isTrue();
    assertThat(v.birth().incarnation()).isEqualTo(now);
    // a restart within the hour's tolerance of clock skew is a real one
    f.accept(Topic.birth(A), birth(now + Duration.ofMinutes(30).toMillis()));
    assertThat(f.agent(A).orElseThrow().birth().incarnation())
        .isEqualTo(now + Duration.ofMinutes(30).toMillis());
  }
}
