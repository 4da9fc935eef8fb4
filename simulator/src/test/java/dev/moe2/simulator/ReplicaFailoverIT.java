package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.security.ApiRole;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import dev.moe2.testservers.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Three packaged orchestrators on one PostgreSQL and one Mosquitto, behind HAProxy
 * (docs/deploy.md): one plans, the planner is stopped under load, another takes over, no request is
 * lost, the ledger adds up, and the stopped replica comes back as a follower of the newer plan.
 */
class ReplicaFailoverIT {

  @Test
  void stopThePlanner_underLoadThroughHaproxy_noRequestLostAndAnotherReplicaPlans()
      throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(Mosquitto.installed(), "mosquitto is not installed (.ci/run does)");
      Assumptions.assumeTrue(
          Files.isExecutable(Path.of("/usr/sbin/haproxy")), "haproxy is not installed (.ci/run)");
      Assumptions.assumeTrue(
          dev.moe2.testservers.PostgresCluster.installed(),
          "postgresql is not installed (.ci/run)");
    }
    Scenario reference = Scenario.load("reference");
    List<String> agents = reference.devices().stream().map(d -> d.id()).toList();
    List<String> settings = new ArrayList<>(SystemFaultsIT.quickGate());
    settings.add("-Dmoe2.planning.lease-ttl=3s");
    settings.add("-Dquarkus.log.level=WARN");
    settings.add("-Dquarkus.log.category.\"dev.moe2.orchestrator.planning\".level=INFO");
    try (ReplicaSite site =
            ReplicaSite.start(SystemFaultsIT.JAR, SystemFaultsIT.SHARED, 3, agents, settings);
        SimulatedFleet fleet =
            SimulatedFleet.start(
                reference, site.brokerUri(), SystemFaultsIT.ROUTERDC, site.logins())) {
      String viewer = site.apiKey(ApiRole.VIEWER);
      for (OrchestratorProcess o : site.replicas()) {
        new FleetWatch(o.baseUrl(), viewer)
            .await(Duration.ofSeconds(90), w -> w.confirmed() == 4, "every replica sees the fleet");
      }
      long planners =
          List.of(1, 2, 3).stream()
              .filter(i -> site.planner(i).orElseThrow().path("planning").asBoolean())
              .count();
      assertThat(planners).as("exactly one replica plans").isEqualTo(1);
      int planner = site.plannerIndex().orElseThrow();
      JsonNode before = site.planner(planner).orElseThrow();
      List<String> followed =
          List.of(1, 2, 3).stream()
              .map(i -> site.planner(i).orElseThrow().path("planner").asText())
              .toList();
      assertThat(followed).containsOnly("orch-" + planner);

      List<PromptReplay.Prompt> pool = PromptReplay.load(SystemFaultsIT.ROUTERDC, 60, 4);
      List<PromptReplay.Prompt> prompts = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        prompts.add(pool.get(i % pool.size()));
      }
      AtomicLong failoverMs = new AtomicLong(-1);
      Thread[] stopper = new Thread[1];
      List<PromptReplay.Outcome> out =
          PromptReplay.run(
              site.baseUrl(),
              site.apiKey(ApiRole.CLIENT),
              prompts,
              8,
              32,
              n -> {
                synchronized (failoverMs) {
                  if (n >= 100 && stopper[0] == null) {
                    stopper[0] =
                        new Thread(
                            () -> {
                              try {
                                failoverMs.set(
                                    site.downAndTimeTakeover(
                                        planner, site::kill, Duration.ofSeconds(30)));
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                              }
                            },
                            "stop-planner");
                    stopper[0].start();
                  }
                }
              });
      stopper[0].join();

      assertThat(out)
          .as("every request answered or explicitly refused")
          .allMatch(o -> o.status() > 0);
      assertThat(out.stream().filter(PromptReplay.Outcome::answered).count())
          .isGreaterThanOrEqualTo(270);
      assertThat(failoverMs.get())
          .as("a stopped planner hands the lease over: a new one within the lease's time")
          .isBetween(0L, 3_000L);
      int next = site.plannerIndex().orElseThrow();
      FleetWatch watch = new FleetWatch(site.replicas().get(next - 1).baseUrl(), viewer);
      watch.await(
          Duration.ofSeconds(30),
          w ->
              w.get("/api/planner").path("planVersion").asLong()
                  > before.path("planVersion").asLong(),
          "the new planner's plan");

      double answeredJoules =
          out.stream().filter(PromptReplay.Outcome::answered).mapToDouble(o -> o.energyJ()).sum();
      long sent = out.size();
      watch.await(
          Duration.ofSeconds(20),
          w -> w.get("/api/usage").path("requests").asLong() >= sent,
          "the ledger to record all " + sent + " requests");
      JsonNode usage = watch.get("/api/usage");
      assertThat(usage.path("requests").asLong()).as("ledger requests").isEqualTo(sent);
      assertThat(usage.path("joules").asDouble())
          .as(
              "ledger joules vs the answered requests' (not answered: %s)",
              out.stream()
                  .filter(o -> !o.answered())
                  .map(o -> o.status() + " " + o.errorCode())
                  .toList())
          .isCloseTo(
              answeredJoules,
              org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, answeredJoules)));

      OrchestratorProcess back = site.startReplica(planner);
      FleetWatch backWatch = new FleetWatch(back.baseUrl(), viewer);
      backWatch.await(
          Duration.ofSeconds(60),
          w ->
              !w.get("/api/planner").path("planning").asBoolean()
                  && w.get("/api/planner").path("planVersion").asLong()
                      == watch.get("/api/planner").path("planVersion").asLong(),
          "the restarted replica to follow the newer plan");
    }
  }
}
