package dev.moe2.tools.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.edgeagent.Agent;
import dev.moe2.edgeagent.AgentFactory;
import dev.moe2.edgeagent.config.ConfigLoader;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.OrchestratorId;
import dev.moe2.protocol.testing.EmbeddedBroker;
import dev.moe2.tools.conformance.ConformanceKit.Result;
import dev.moe2.tools.conformance.ConformanceKit.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conformance kit against a real broker: the project's own agent passes every check. */
class ConformanceKitTest {

  @TempDir static Path dir;
  static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start(dir.resolve("broker"));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static Agent ownAgent(String id) throws Exception {
    Path cfg = dir.resolve(id + ".yaml");
    Files.writeString(
        cfg,
        """
        agentId: %s
        deviceClass: jetson-agx-orin-64gb
        powerMode: maxn
        mqtt: {uri: "%s", keepAliveS: 2, reconnectInitialMs: 50, reconnectMaxMs: 400}
        energy: {meter: simulated}
        power: {controller: simulated}
        profile: {reportIntervalS: 1, minSamples: 2}
        simulation: {seed: 5, noise: 0.0, timeScale: 0.01}
        experts:
          - {model: zephyr-7b-beta, backend: simulated, simulated: {answerTokens: 4000}}
          - {model: mistral-7b, backend: simulated, simulated: {answerTokens: 4000}}
          - {model: meta-llama-3-8b, backend: simulated, simulated: {answerTokens: 4000}}
        """
            .formatted(id, broker.uri()));
    return AgentFactory.build(ConfigLoader.load(cfg, Map.of(), Map.of()), Clock.systemUTC())
        .start();
  }

  static List<Result> check(String agent) {
    return check(agent, Duration.ofSeconds(10));
  }

  static List<Result> check(String agent, Duration timeout) {
    List<Result> progress = new ArrayList<>();
    List<Result> results =
        new ConformanceKit(
                new ConformanceKit.Settings(
                    broker.uri(),
                    null,
                    null,
                    AgentId.of(agent),
                    OrchestratorId.of("conformance"),
                    timeout,
                    Duration.ofMillis(500),
                    Duration.ofSeconds(10)),
                progress::add)
            .run();
    assertThat(progress).as("progress reported as each check ends").isEqualTo(results);
    return results;
  }

  @Test
  void run_theProjectsOwnAgent_passesEveryCheck() throws Exception {
    try (Agent agent = ownAgent("conf-own-1")) {
      List<Result> results = check("conf-own-1");

      assertThat(results)
          .extracting(Result::check)
          .containsExactlyElementsOf(ConformanceKit.checks());
      assertThat(results)
          .as("%s", results)
          .allSatisfy(
              r -> assertThat(r.status()).as(r.check() + ": " + r.detail()).isEqualTo(Status.PASS));
      assertThat(agent.counters().duplicates()).as("the redelivered dispatch was dropped").isOne();
    }
  }

  @Test
  void run_noSuchAgent_failsAtBirthAndSkipsTheRest() {
    List<Result> results =
        new ConformanceKit(
                new ConformanceKit.Settings(
                    broker.uri(),
                    null,
                    null,
                    AgentId.of("nobody-here"),
                    OrchestratorId.of("conformance"),
                    Duration.ofMillis(500),
                    Duration.ofMillis(100),
                    Duration.ZERO),
                r -> {})
            .run();

    assertThat(results.get(0).status()).isEqualTo(Status.FAIL);
    assertThat(results.get(0).detail())
        .contains("no retained birth on moe2/v1/agents/nobody-here/birth within 0.5 s");
    assertThat(results.subList(1, results.size()))
        .extracting(Result::status)
        .containsOnly(Status.SKIP);
  }

  @Test
  void run_anAgentWrittenFromTheContractAlone_passesEveryCheckAndWarnsItDoesNotStream() {
    try (MinimalAgent agent = new MinimalAgent(broker.uri(), "conf-minimal-1", false)) {
      List<Result> results = check("conf-minimal-1");

      // streaming and cancel are later additions an older agent may lack: warnings, not failures
      assertThat(results)
          .filteredOn(r -> !List.of("streaming", "cancel").contains(r.check()))
          .allSatisfy(
              r -> assertThat(r.status()).as(r.check() + ": " + r.detail()).isEqualTo(Status.PASS));
      assertThat(results)
          .filteredOn(r -> List.of("streaming", "cancel").contains(r.check()))
          .extracting(Result::status)
          .containsOnly(Status.WARN);
    }
  }

  @Test
  void run_anAgentThatDedupesOnTheRequestIdAlone_failsTheChecksOfTheDispatchUnit() {
    try (MinimalAgent agent = new MinimalAgent(broker.uri(), "conf-minimal-2", true)) {
      List<Result> results = check("conf-minimal-2", Duration.ofSeconds(3));

      // the issue-13 bug: a second model of one request, and attempt 2, are taken for redeliveries
      assertThat(results)
          .filteredOn(r -> r.status() == Status.FAIL)
          .extracting(Result::check, Result::status)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("k-on-one-agent", Status.FAIL),
              org.assertj.core.groups.Tuple.tuple("second-attempt", Status.FAIL));
      assertThat(results)
          .filteredOn(r -> r.check().equals("k-on-one-agent"))
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r.detail())
                      .contains("no reply or error for")
                      .contains("to mistral-7b"));
    }
  }
}
