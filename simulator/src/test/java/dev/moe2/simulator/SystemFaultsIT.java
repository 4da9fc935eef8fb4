package dev.moe2.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moe2.profiles.workload.SharedData;
import dev.moe2.security.ApiRole;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole system end to end on loopback: the orchestrator's packaged jar (embedded broker) and
 * the simulated reference fleet, real RouterDC prompts, faults injected by the harness.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemFaultsIT {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path SHARED = SharedData.dir().toAbsolutePath();
  static final Path ROUTERDC = SharedData.routerDc(SHARED);
  static final Path JAR = ROOT.resolve("orchestrator/target/quarkus-app/quarkus-run.jar");
  static OrchestratorProcess orch;
  static SimulatedFleet fleet;
  static FleetWatch watch;
  static List<PromptReplay.Prompt> prompts;

  /** Settings that keep the orchestrator's start quick in CI (a small gate, trained once). */
  static List<String> quickGate() {
    return List.of(
        "-Dmoe2.gate.dir=" + ROOT.resolve("simulator/target/moe2-gate-it"),
        "-Dmoe2.gate.cache-dir=" + ROOT.resolve("simulator/target/moe2-embeddings"),
        "-Dmoe2.gate.train-max-prompts=150",
        "-Dmoe2.planning.max-prompts=100",
        "-Dquarkus.log.level=WARN");
  }

  @BeforeAll
  static void start() {
    orch = OrchestratorProcess.start(JAR, SHARED, 0, 0, quickGate(), Duration.ofMinutes(5));
    fleet =
        SimulatedFleet.start(Scenario.load("reference"), orch.brokerUri(), ROUTERDC, orch.logins());
    watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
    watch.await(
        Duration.ofSeconds(60), w -> w.confirmed() == 4, "the reference fleet to apply the plan");
    prompts = PromptReplay.load(ROUTERDC, 40, 9);
  }

  @AfterAll
  static void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (orch != null) {
      orch.close();
    }
  }

  @Test
  @Order(1)
  void replay_realPrompts_everyAnswerScoredWithRecordedExpertScores() throws Exception {
    List<PromptReplay.Outcome> out =
        PromptReplay.run(orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts, 8, 64, n -> {});

    assertThat(out).hasSize(prompts.size());
    // budgets are hard: a request no expert can serve in time (a cold start, a loaded machine) is
    // refused at once, explicitly; the rest are answered — or, when the shared 2-core machine
    // starves a simulated device past its deadline (knowledge has 0.5 s), fail explicitly with
    // 503 no-answer; nothing is lost or silent
    assertThat(out).allMatch(o -> o.answered() || o.refusedAtOnce() || o.noAnswer());
    assertThat(out.stream().filter(PromptReplay.Outcome::answered).count())
        .isGreaterThanOrEqualTo(out.size() * 8L / 10);
    assertThat(out)
        .filteredOn(PromptReplay.Outcome::answered)
        .allMatch(o -> o.prompt().scores().containsKey(o.answeredBy()));
    assertThat(out.stream().mapToDouble(PromptReplay.Outcome::score).average().orElse(0))
        .isBetween(0.3, 0.9);
  }

  @Test
  @Order(2)
  void agentKilledMidRequest_everyRequestEndsAndThePlanDropsIt() throws Exception {
    boolean[] fired = {false};
    List<PromptReplay.Outcome> out =
        PromptReplay.run(
            orch.baseUrl(),
            orch.apiKey(ApiRole.CLIENT),
            prompts,
            8,
            64,
            n -> {
              synchronized (fired) {
                if (!fired[0] && n >= 30) {
                  fired[0] = true;
                  fleet.kill("rtx4090-1");
                }
              }
            });

    long answered = out.stream().filter(PromptReplay.Outcome::answered).count();
    long explicit = out.stream().filter(o -> !o.answered() && o.status() >= 400).count();
    assertThat(answered + explicit)
        .as("sent = answered + explicit errors: none lost")
        .isEqualTo(prompts.size());
    watch.await(
        Duration.ofSeconds(20),
        w -> w.latestPlan().path("reason").asText().contains("rtx4090-1 offline"),
        "the re-plan without rtx4090-1");
    assertThat(watch.latestPlan().path("devices").findValuesAsText("deviceId"))
        .doesNotContain("rtx4090-1");

    fleet.restart("rtx4090-1");
    watch.await(
        Duration.ofSeconds(30),
        w -> w.confirmed() == 4,
        "the restarted agent to be planned in again");
  }

  @Test
  @Order(3)
  void malformedOversizedAndUnknownTopics_countedAndIgnored_nothingCrashes() throws Exception {
    fleet.malformed(60);

    watch.await(
        Duration.ofSeconds(10),
        w -> w.metric("moe2_mqtt_malformed_messages") > 0,
        "the orchestrator to count them");
    assertThat(orch.alive()).isTrue();
    List<PromptReplay.Outcome> out =
        PromptReplay.run(
            orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts.subList(0, 20), 4, 64, n -> {});
    assertThat(out).allMatch(PromptReplay.Outcome::answered);
    assertThat(fleet.agents()).allMatch(a -> a.connected());
  }

  @Test
  @Order(4)
  void throttling_driftDetectedAndReplannedWithTheSlowdown() throws Exception {
    fleet.throttle("orin-agx-2", 3.0);

    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    // another device may drift first on a loaded machine (its sleeps overshoot): wait for this one,
    // and for its measured slowdown to settle (its reports' running means move towards 3)
    while ((!replannedFor("drift on orin-agx-2") || slowdown("orin-agx-2") <= 2.0)
        && System.nanoTime() < end) {
      PromptReplay.run(
          orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts.subList(0, 40), 8, 64, n -> {});
    }
    assertThat(replannedFor("drift on orin-agx-2")).as("a re-plan for the drift").isTrue();
    assertThat(slowdown("orin-agx-2"))
        .as("measured slowdown of the throttled device")
        .isGreaterThan(2.0);
    List<PromptReplay.Outcome> out =
        PromptReplay.run(orch.baseUrl(), orch.apiKey(ApiRole.CLIENT), prompts, 8, 64, n -> {});
    // a category the slower fleet can no longer serve within budget is refused explicitly
    assertThat(out).allMatch(o -> o.answered() || o.status() == 503 || o.refusedAtOnce());
    assertThat(out.stream().filter(PromptReplay.Outcome::answered).count()).isPositive();
    long overDelay = out.stream().filter(o -> o.delayS() > o.delayBudgetS() + 1e-9).count();
    assertThat(overDelay).as("requests over their delay budget after the re-plan").isZero();
  }

  /** The orchestrator's measured slowdown of {@code agent} (0 when it does not know it). */
  static double slowdown(String agent) {
    for (var a : watch.get("/api/fleet")) {
      if (a.path("agentId").asText().equals(agent)) {
        return a.path("slowdown").asDouble();
      }
    }
    return 0;
  }

  /** Whether a recent plan was made for {@code reason}. */
  static boolean replannedFor(String reason) {
    for (var p : watch.get("/api/plans")) {
      if (p.path("reason").asText().contains(reason)) {
        return true;
      }
    }
    return false;
  }

  /** The energy ledger since a day ago (the service's own clock is this machine's). */
  static final String USAGE_TODAY =
      "/api/usage?from=" + java.time.Instant.now().minus(Duration.ofDays(1));

  @Test
  @Order(5)
  void embeddedBrokerRestart_agentsReconnectAndTheFleetIsRebuilt() throws Exception {
    // the embedded broker lives in the orchestrator: restarting the service restarts the broker
    int mqtt = orch.mqttPort();
    java.nio.file.Path state = orch.stateDir(); // the restarted service keeps its credentials
    // and its database (the energy ledger of every request so far)
    long requestsBefore = watch.get(USAGE_TODAY).path("requests").asLong();
    long planBefore = watch.get("/api/planner").path("planVersion").asLong();
    String latestDecision =
        watch.get("/api/usage/decisions?limit=1").path(0).path("requestId").asText();
    assertThat(latestDecision).isNotEmpty();
    double joulesBefore = watch.get(USAGE_TODAY).path("joules").asDouble();
    assertThat(requestsBefore).isPositive();
    // and the budgets an operator changed
    java.net.http.HttpResponse<String> put =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(orch.baseUrl() + "/api/budgets/code"))
                    .header("Authorization", "Bearer " + orch.apiKey(ApiRole.OPERATOR))
                    .header("Content-Type", "application/json")
                    .PUT(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"energyBudgetJ\": 399}"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    orch.close();
    List<String> settings = new java.util.ArrayList<>(quickGate());
    settings.add("-Dmoe2.security.state-dir=" + state);
    orch = OrchestratorProcess.start(JAR, SHARED, 0, mqtt, settings, Duration.ofMinutes(5));
    watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));

    watch.await(
        Duration.ofSeconds(60),
        w -> w.confirmed() == 4,
        "the agents to reconnect and apply the new plan");
    assertThat(watch.online()).isEqualTo(4);
    // the ledger survived the restart: every request recorded before is still there
    assertThat(watch.get(USAGE_TODAY).path("requests").asLong())
        .isGreaterThanOrEqualTo(requestsBefore);
    assertThat(watch.get(USAGE_TODAY).path("joules").asDouble())
        .isGreaterThanOrEqualTo(joulesBefore);
    double code = 0;
    for (var c : watch.get("/api/budgets")) {
      if (c.path("id").asText().equals("code")) {
        code = c.path("energyBudgetJ").asDouble();
      }
    }
    assertThat(code).as("the budget changed before the restart").isEqualTo(399.0);
    // the stored plans: the version only grows; the stored decisions are still there; and the API
    // keys of before (this watch signs in with the viewer key issued before the restart)
    assertThat(watch.get("/api/planner").path("planVersion").asLong()).isGreaterThan(planBefore);
    String latestBefore = latestDecision;
    assertThat(watch.get("/api/usage/decisions?limit=500"))
        .anyMatch(d -> d.path("requestId").asText().equals(latestBefore));
  }
}
