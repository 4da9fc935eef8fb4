package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.protocol.Acl;
import dev.moe2.security.ApiRole;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import dev.moe2.testservers.Mosquitto;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator on an external broker, Debian's mosquitto 2.0 on 127.0.0.1 set up as
 * docs/deploy.md says (no anonymous clients, the password and ACL files {@code scripts/credentials}
 * writes, client id = user name), which is restarted: requests during the outage fail fast with a
 * clear error; afterwards the agents and the orchestrator reconnect, the fleet is rebuilt and
 * requests are answered again. Skipped where mosquitto is not installed, except in CI ({@code
 * CI=true}).
 */
class MosquittoRestartIT {

  @TempDir Path dir;

  Mosquitto mosquitto(int port, FleetCredentials store) {
    return Mosquitto.start(
        store.writeLoopbackMosquitto(dir, port), port, dir.resolve("mosquitto.log"));
  }

  @Test
  void mosquittoRestart_requestsFailFastThenTheFleetIsRebuilt() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          Mosquitto.installed(), "mosquitto is not installed (.ci/run installs it)");
    }
    int port = OrchestratorProcess.freePort();
    // the site's identities first: Mosquitto reads its files at start
    Path state = dir.resolve("state");
    FleetCredentials store = FleetCredentials.in(state);
    SecureRandom random = new SecureRandom();
    SecretFiles.ensure(
        store, state, new Acl.Identity("orch-1", Acl.Role.ORCHESTRATOR), random, Instant.now());
    SimulatedFleet.Logins logins = OrchestratorProcess.logins(state);
    Scenario reference = Scenario.load("reference");
    reference.devices().forEach(d -> logins.secretOf(d.id()));
    Mosquitto broker = mosquitto(port, store);
    String uri = "tcp://127.0.0.1:" + port;
    List<String> settings = new ArrayList<>(SystemFaultsIT.quickGate());
    settings.add("-Dmoe2.broker.embedded=false");
    settings.add("-Dmoe2.broker.uri=" + uri);
    settings.add("-Dmoe2.security.state-dir=" + state.toAbsolutePath());
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                SystemFaultsIT.JAR, SystemFaultsIT.SHARED, 0, 0, settings, Duration.ofMinutes(5));
        SimulatedFleet fleet =
            SimulatedFleet.start(reference, uri, SystemFaultsIT.ROUTERDC, logins)) {
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      watch.await(Duration.ofSeconds(60), w -> w.confirmed() == 4, "the fleet on mosquitto");
      List<PromptReplay.Prompt> prompts = PromptReplay.load(SystemFaultsIT.ROUTERDC, 5, 4);
      assertThat(
              PromptReplay.run(
                  orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts, 4, 32, n -> {}))
          .allMatch(PromptReplay.Outcome::answered);

      broker.close();
      watch.await(
          Duration.ofSeconds(20),
          w -> w.metric("moe2_mqtt_malformed_messages") >= 0 && !ready(w),
          "the orchestrator to notice the outage");
      List<PromptReplay.Outcome> during =
          PromptReplay.run(orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts, 2, 32, n -> {});
      // every request during the outage ends in an explicit 503; once the orchestrator has seen
      // the link drop it refuses at once with broker-unavailable
      assertThat(during).allMatch(o -> o.status() == 503);
      assertThat(during).anyMatch(o -> "broker-unavailable".equals(o.errorCode()));

      broker = mosquitto(port, store);
      watch.await(Duration.ofSeconds(60), FleetWatch::ready, "the orchestrator to reconnect");
      watch.await(
          Duration.ofSeconds(60),
          w -> w.confirmed() == 4,
          "the agents to reconnect and re-announce");
      assertThat(
              PromptReplay.run(
                  orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts, 4, 32, n -> {}))
          .allMatch(PromptReplay.Outcome::answered);
    } finally {
      broker.close();
    }
  }

  static boolean ready(FleetWatch w) {
    return w.ready();
  }
}
