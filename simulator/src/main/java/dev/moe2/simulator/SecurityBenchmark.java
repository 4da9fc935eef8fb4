package dev.moe2.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.moe2.profiles.workload.SharedData;
import dev.moe2.protocol.Acl;
import dev.moe2.protocol.ContractExamples;
import dev.moe2.protocol.JsonCodec;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ProtocolException;
import dev.moe2.protocol.Topic;
import dev.moe2.security.ApiRole;
import dev.moe2.security.FleetCredentials;
import dev.moe2.security.SecretFiles;
import dev.moe2.security.probe.AclProbe;
import dev.moe2.security.probe.JsonMutations;
import dev.moe2.simulator.fleet.SimulatedFleet;
import dev.moe2.simulator.replay.PromptReplay;
import dev.moe2.simulator.scenario.Scenario;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench-security}: bad input and rogue clients at scale against the secured system.
 */
@Command(
    name = "bench-security",
    mixinStandardHelpOptions = true,
    description = {
      "Attacks the secured system on loopback while the reference fleet serves real prompts: a",
      "rogue client with valid agent credentials tries every publish and subscribe the contract's",
      "ACL forbids, connects under other names and leaves a forged will, on the orchestrator's",
      "embedded HiveMQ and on Debian's Mosquitto (skipped when not installed); mutated and random",
      "request bodies, headers, keys and paths against the REST API; mutated payloads of every",
      "message type against the codec. Then checks that the fleet view is unchanged and that",
      "every request sent meanwhile got an answer. The last line is a key=value summary."
    })
public final class SecurityBenchmark implements Callable<Integer> {

  @Option(names = "--rest-cases", defaultValue = "600", description = "REST requests to fuzz.")
  int restCases;

  @Option(names = "--codec-cases", defaultValue = "20000", description = "Payloads to fuzz.")
  int codecCases;

  @Option(names = "--prompts", defaultValue = "60", description = "Prompts sent meanwhile.")
  int prompts;

  @Option(names = "--seed", defaultValue = "15", description = "Seed of the fuzzing.")
  long seed;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  private final SecureRandom random = new SecureRandom();

  public static void main(String[] args) {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
    System.exit(new CommandLine(new SecurityBenchmark()).execute(args));
  }

  record Row(String part, long cases, long refused, long bad, String note) {}

  @Override
  public Integer call() throws Exception {
    Path routerDc = shared.resolve(SharedData.ROUTERDC);
    if (!Files.isDirectory(routerDc)) {
      System.err.println("error: the shared data folder is missing: " + routerDc.toAbsolutePath());
      return 2;
    }
    List<Row> rows = new ArrayList<>();
    long lost;
    boolean fleetUnchanged;
    System.err.println("bench-security: starting the orchestrator (security on) and the fleet ...");
    try (OrchestratorProcess orch =
            OrchestratorProcess.start(
                jar, shared, 0, 0, List.of("-Dquarkus.log.level=WARN"), Duration.ofMinutes(10));
        SimulatedFleet fleet =
            SimulatedFleet.start(
                Scenario.load("reference"), orch.brokerUri(), routerDc, orch.logins())) {
      FleetWatch watch = new FleetWatch(orch.baseUrl(), orch.apiKey(ApiRole.VIEWER));
      watch.await(Duration.ofSeconds(90), w -> w.confirmed() == 4, "the fleet to apply the plan");
      String before = fleetView(watch);
      List<PromptReplay.Prompt> ps = PromptReplay.load(routerDc, Math.max(1, prompts / 4), seed);
      String clientKey = orch.apiKey(ApiRole.CLIENT);
      CompletableFuture<List<PromptReplay.Outcome>> load =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return PromptReplay.run(orch.baseUrl(), clientKey, ps, 2, 64, n -> {});
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return List.of();
                }
              });

      System.err.println("bench-security: rogue agent on the embedded HiveMQ ...");
      rows.add(probeRow("mqtt hivemq", hivemqProbe(orch)));
      System.err.println("bench-security: rogue agent on Mosquitto ...");
      rows.add(mosquittoRow());
      System.err.printf(Locale.ROOT, "bench-security: %d REST cases ...%n", restCases);
      rows.add(restFuzz(orch, clientKey));
      System.err.printf(Locale.ROOT, "bench-security: %d codec cases ...%n", codecCases);
      rows.add(codecFuzz());

      List<PromptReplay.Outcome> out = load.get(10, TimeUnit.MINUTES);
      lost = out.stream().filter(o -> o.status() < 0).count() + (ps.size() - out.size());
      long answered = out.stream().filter(PromptReplay.Outcome::answered).count();
      rows.add(
          new Row(
              "requests meanwhile",
              out.size(),
              0,
              lost,
              answered + " answered, the rest explicit errors"));
      watch.await(Duration.ofSeconds(30), w -> w.confirmed() == 4, "the fleet after the attacks");
      String after = fleetView(watch);
      fleetUnchanged = before.equals(after);
      rows.add(new Row("fleet view", 1, 0, fleetUnchanged ? 0 : 1, before + " → " + after));
    }

    System.out.printf(
        Locale.ROOT, "%-20s %8s %9s %6s  %s%n", "part", "cases", "refused", "bad", "note");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-20s %8d %9d %6d  %s%n",
          r.part(),
          r.cases(),
          r.refused(),
          r.bad(),
          r.note());
    }
    long mqttAttempts = 0;
    long mqttRefused = 0;
    long mqttLeaked = 0;
    for (Row r : rows) {
      if (r.part().startsWith("mqtt")) {
        mqttAttempts += r.cases();
        mqttRefused += r.refused();
        mqttLeaked += r.bad();
      }
    }
    Row rest = rows.stream().filter(r -> r.part().equals("rest")).findFirst().orElseThrow();
    Row codec = rows.stream().filter(r -> r.part().equals("codec")).findFirst().orElseThrow();
    System.out.printf(
        Locale.ROOT,
        "security mqtt_attempts=%d mqtt_refused=%d mqtt_leaked=%d rest_cases=%d rest_5xx=%d"
            + " codec_cases=%d codec_unexpected=%d lost=%d fleet_unchanged=%s%n",
        mqttAttempts,
        mqttRefused,
        mqttLeaked,
        rest.cases(),
        rest.bad(),
        codec.cases(),
        codec.bad(),
        lost,
        fleetUnchanged);
    return mqttLeaked == 0 && rest.bad() == 0 && codec.bad() == 0 && lost == 0 ? 0 : 1;
  }

  private static String fleetView(FleetWatch watch) {
    TreeMap<String, Boolean> view = new TreeMap<>();
    for (JsonNode a : watch.get("/api/fleet")) {
      view.put(a.path("agentId").asText(), a.path("online").asBoolean());
    }
    return view.toString();
  }

  private static Row probeRow(String part, AclProbe.Report report) {
    long leaked = report.count(AclProbe.Outcome.LEAKED);
    long silent = report.count(AclProbe.Outcome.GRANTED_SILENT);
    return new Row(
        part,
        report.attempts().size(),
        report.refused(),
        leaked,
        silent == 0
            ? "every attempt refused by reason code or disconnect"
            : silent + " accepted but nothing delivered or taken over (see docs/security.md)");
  }

  private AclProbe.Report hivemqProbe(OrchestratorProcess orch) throws Exception {
    Path state = orch.stateDir();
    FleetCredentials store = FleetCredentials.in(state);
    AclProbe.Login rogue = login(store, state, "rogue-1", Acl.Role.AGENT);
    AclProbe.Login victim = login(store, state, "victim-1", Acl.Role.AGENT);
    AclProbe.Login witness = login(store, state, "probe-orch", Acl.Role.ORCHESTRATOR);
    try {
      return new AclProbe(orch.brokerUri(), rogue, victim, witness, Duration.ofSeconds(1)).run();
    } finally {
      for (String n : List.of("rogue-1", "victim-1", "probe-orch")) {
        store.revoke(n);
      }
    }
  }

  private AclProbe.Login login(FleetCredentials store, Path state, String name, Acl.Role role) {
    return new AclProbe.Login(
        name,
        SecretFiles.ensure(store, state, new Acl.Identity(name, role), random, Instant.now()));
  }

  private Row mosquittoRow() throws Exception {
    Path binary = Path.of("/usr/sbin/mosquitto");
    if (!Files.isExecutable(binary)) {
      return new Row("mqtt mosquitto", 0, 0, 0, "skipped: mosquitto is not installed");
    }
    Path dir = Files.createTempDirectory("moe2-bench-mosquitto");
    FleetCredentials store = FleetCredentials.in(dir.resolve("state"));
    AclProbe.Login rogue = login(store, dir.resolve("state"), "rogue-1", Acl.Role.AGENT);
    AclProbe.Login victim = login(store, dir.resolve("state"), "victim-1", Acl.Role.AGENT);
    AclProbe.Login witness = login(store, dir.resolve("state"), "orch-1", Acl.Role.ORCHESTRATOR);
    int port = OrchestratorProcess.freePort();
    Path conf = store.writeLoopbackMosquitto(dir, port);
    Process p =
        new ProcessBuilder(binary.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          break;
        } catch (IOException e) {
          if (System.nanoTime() > end || !p.isAlive()) {
            throw new IllegalStateException(
                "mosquitto did not start: " + Files.readString(dir.resolve("mosquitto.log")), e);
          }
          LockSupport.parkNanos(50_000_000L);
        }
      }
      return probeRow(
          "mqtt mosquitto",
          new AclProbe("tcp://127.0.0.1:" + port, rogue, victim, witness, Duration.ofSeconds(1))
              .run());
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static final String[] PATHS = {
    "/v1/chat/completions",
    "/v1/models",
    "/api/fleet",
    "/api/budgets/knowledge",
    "/api/budgets/%2e%2e",
    "/api/keys",
    "/api/keys/x",
    "/q/metrics",
    "/api/../v1/models",
    "//api//fleet",
    "/api/decisions?limit=-1",
    "/api/pareto?category=%00",
    "/v1/chat/completions/x",
    "/API/FLEET",
    "/api/fits?promptTokens=1e99"
  };

  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

  /** Mutated bodies, random paths, methods, content types and keys: never a 5xx, never a trace. */
  private Row restFuzz(OrchestratorProcess orch, String clientKey) throws Exception {
    Random r = new Random(seed);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String[] keys = {
      clientKey,
      orch.apiKey(ApiRole.VIEWER),
      orch.apiKey(ApiRole.OPERATOR),
      null,
      "moe2_aaaaaaaaaa_" + "A".repeat(43),
      "x",
      clientKey + "x"
    };
    long refused = 0;
    long bad = 0;
    List<String> samples = new ArrayList<>();
    for (int i = 0; i < restCases; i++) {
      boolean chat = r.nextInt(3) > 0;
      String path = chat ? "/v1/chat/completions" : PATHS[r.nextInt(PATHS.length)];
      String method = chat ? "POST" : METHODS[r.nextInt(METHODS.length)];
      String body =
          r.nextInt(8) == 0
              ? JsonMutations.randomBytes(r, 300)
              : JsonMutations.mutate(JsonMutations.VALID_CHAT, r);
      String key = keys[r.nextInt(keys.length)];
      HttpRequest.Builder b;
      try {
        b =
            HttpRequest.newBuilder(URI.create(orch.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .method(
                    method,
                    method.equals("GET") || method.equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
      } catch (IllegalArgumentException e) {
        continue; // not a URI the client can send
      }
      b.header(
          "Content-Type", r.nextInt(6) == 0 ? "text/plain" : "application/json; charset=utf-8");
      if (key != null) {
        b.header("Authorization", (r.nextInt(10) == 0 ? "bearer  " : "Bearer ") + key);
      }
      if (r.nextInt(10) == 0) {
        b.header("X-Forwarded-For", "10.0.0." + r.nextInt(255));
      }
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String text = res.body();
      boolean trace = text.contains("at dev.moe2") || text.contains("Exception:");
      boolean shape = res.statusCode() < 400 || text.contains("\"error\"");
      // a 503 naming why (fleet busy, no answer in time) answers a valid request; anything else
      // 5xx would be the input breaking the service
      if (res.statusCode() >= 500 && res.statusCode() != 503 || trace || !shape) {
        bad++;
        if (samples.size() < 3) {
          samples.add(method + " " + path + " → " + res.statusCode() + " " + abbreviate(text));
        }
      } else if (res.statusCode() >= 400) {
        refused++;
      }
    }
    return new Row(
        "rest",
        restCases,
        refused,
        bad,
        samples.isEmpty() ? "only answers and 4xx in the error shape" : String.join("; ", samples));
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }

  /** Mutations of every message type's valid payload: a message or a ProtocolException, only. */
  private Row codecFuzz() {
    JsonCodec codec = new JsonCodec();
    Random r = new Random(seed);
    List<Object[]> examples = ContractExamples.all();
    long refused = 0;
    long unexpected = 0;
    List<String> samples = new ArrayList<>();
    for (int i = 0; i < codecCases; i++) {
      Object[] ex = examples.get(r.nextInt(examples.size()));
      Topic topic = (Topic) ex[0];
      String json = new String(codec.encode((Message) ex[1]), StandardCharsets.UTF_8);
      byte[] payload =
          r.nextInt(10) == 0
              ? JsonMutations.randomBytes(r, 300).getBytes(StandardCharsets.ISO_8859_1)
              : JsonMutations.mutate(json, r).getBytes(StandardCharsets.UTF_8);
      try {
        codec.decode(topic, payload);
      } catch (ProtocolException e) {
        refused++;
      } catch (RuntimeException e) {
        unexpected++;
        if (samples.size() < 3) {
          samples.add(
              e.getClass().getSimpleName() + ": " + abbreviate(String.valueOf(e.getMessage())));
        }
      }
    }
    return new Row(
        "codec",
        codecCases,
        refused,
        unexpected,
        samples.isEmpty() ? "decoded or a protocol exception, only" : String.join("; ", samples));
  }
}
