package dev.moe2.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.edgeagent.Agent;
import dev.moe2.edgeagent.AgentFactory;
import dev.moe2.edgeagent.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/bench-orchestrator}: overhead, sustained requests/s and re-plan time. */
@Command(
    name = "bench-orchestrator",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the orchestrator (its packaged jar, embedded broker on 127.0.0.1) and four edge",
      "agents with instant simulated backends, then measures: the orchestrator's overhead per",
      "request (the response time: the agents spend no time), sustained requests/s",
      "with concurrent clients, and the time from an agent's death to the plan without it.",
      "The last line is a key=value summary."
    })
public final class OrchestratorBenchmark implements Callable<Integer> {

  @Option(names = "--requests", defaultValue = "3000", description = "Timed requests.")
  int requests;

  @Option(names = "--warmup", defaultValue = "300", description = "Untimed requests first.")
  int warmup;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients (throughput).")
  int clients;

  @Option(
      names = "--latency-requests",
      defaultValue = "1000",
      description = "Requests from one client (overhead).")
  int latencyRequests;

  @Option(
      names = "--jar",
      defaultValue = "orchestrator/target/quarkus-app/quarkus-run.jar",
      description = "The orchestrator's runnable jar.")
  Path jar;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CATEGORIES = List.of("knowledge", "math", "reasoning", "code");

  public static void main(String[] args) {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new OrchestratorBenchmark()).execute(args));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(jar)) {
      System.err.println("error: the orchestrator jar is missing at " + jar.toAbsolutePath());
      return 2;
    }
    int http = freePort();
    int mqtt = freePort();
    Path log = Files.createTempFile("orchestrator", ".log");
    System.err.println("bench-orchestrator: starting the orchestrator (log " + log + ") ...");
    Process orch =
        new ProcessBuilder(
                "java",
                "-Dquarkus.http.port=" + http,
                "-Dmoe2.broker.port=" + mqtt,
                "-Dmoe2.shared.dir=" + shared.toAbsolutePath(),
                "-Dquarkus.log.level=WARN",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + http;
    List<Agent> agents = new ArrayList<>();
    double[] result;
    try {
      waitUntil(
          Duration.ofMinutes(5),
          () -> get(client, base + "/q/health/ready") == 200,
          "the orchestrator to be ready");
      String[][] fleet = {
        {"orin-agx-1", "jetson-agx-orin-64gb", "maxn"},
        {"orin-agx-2", "jetson-agx-orin-64gb", "maxn"},
        {"orin-nx-1", "jetson-orin-nx-16gb", "25w"},
        {"rtx4090-1", "rtx-4090", "pl450"}
      };
      for (String[] d : fleet) {
        agents.add(agent(d[0], d[1], d[2], mqtt));
      }
      waitUntil(
          Duration.ofSeconds(60),
          () -> confirmed(client, base) == fleet.length,
          "the plan to be confirmed");
      System.err.println("bench-orchestrator: fleet of 4 confirmed; warming up ...");
      run(client, base, warmup, null, clients);
      Recorder overhead = new Recorder(3);
      System.err.printf(
          Locale.ROOT,
          "bench-orchestrator: overhead, %d requests from one client ...%n",
          latencyRequests);
      long[] single = run(client, base, latencyRequests, overhead, 1);
      Histogram h = overhead.getIntervalHistogram();
      System.err.printf(
          Locale.ROOT,
          "bench-orchestrator: throughput, %d requests from %d clients ...%n",
          requests,
          clients);
      long t0 = System.nanoTime();
      long[] outcomes = run(client, base, requests, null, clients);
      double seconds = (System.nanoTime() - t0) / 1e9;
      outcomes[0] += single[0];
      outcomes[1] += single[1];
      // Re-plan: kill one agent, time until the plan no longer has it.
      long plansBefore = plans(client, base);
      long k0 = System.nanoTime();
      agents.get(3).kill();
      waitUntil(
          Duration.ofSeconds(30),
          () -> latestReason(client, base).contains("rtx4090-1 offline"),
          "the re-plan");
      double replanMs = (System.nanoTime() - k0) / 1e6;
      result =
          new double[] {
            h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(99) / 1e3,
            outcomes[0] / seconds,
            replanMs,
            outcomes[0],
            outcomes[1],
            plansBefore
          };
    } finally {
      agents.forEach(Agent::close);
      orch.destroy();
      orch.waitFor(20, TimeUnit.SECONDS);
    }
    System.out.printf(Locale.ROOT, "%-36s %10s%n", "measure", "value");
    System.out.printf(Locale.ROOT, "%-36s %10.0f%n", "requests answered", result[4]);
    System.out.printf(
        Locale.ROOT, "%-36s %10.0f%n", "requests failed (explicit errors)", result[5]);
    System.out.printf(Locale.ROOT, "%-36s %10.2f%n", "overhead p50 (ms, one client)", result[0]);
    System.out.printf(Locale.ROOT, "%-36s %10.2f%n", "overhead p99 (ms, one client)", result[1]);
    System.out.printf(
        Locale.ROOT, "%-36s %10.1f%n", "sustained requests/s (" + clients + " clients)", result[2]);
    System.out.printf(Locale.ROOT, "%-36s %10.1f%n", "agent death -> new plan (ms)", result[3]);
    System.out.printf(
        Locale.ROOT,
        "orchestrator overhead_p50_ms=%.2f overhead_p99_ms=%.2f rps=%.1f replan_ms=%.1f answered=%d failed=%d%n",
        result[0],
        result[1],
        result[2],
        result[3],
        (long) result[4],
        (long) result[5]);
    return 0;
  }

  private static Agent agent(String id, String deviceClass, String mode, int mqtt)
      throws IOException {
    Path dir = Files.createTempDirectory("agent");
    StringBuilder experts = new StringBuilder();
    for (String m :
        List.of(
            "zephyr-7b-beta",
            "mistral-7b",
            "metamath-mistral-7b",
            "chinese-mistral-7b",
            "dolphin-2.6-mistral-7b",
            "meta-llama-3-8b",
            "dolphin-2.9-llama3-8b")) {
      experts.append("  - {model: ").append(m).append(", backend: simulated}\n");
    }
    Path cfg = dir.resolve(id + ".yaml");
    Files.writeString(
        cfg,
        """
        agentId: %s
        deviceClass: %s
        powerMode: %s
        mqtt: {uri: "tcp://127.0.0.1:%d", keepAliveS: 2}
        serving: {maxConcurrent: 16}
        energy: {meter: simulated}
        power: {controller: simulated}
        simulation: {seed: 1, noise: 0.0, timeScale: 0}
        experts:
        %s"""
            .formatted(id, deviceClass, mode, mqtt, experts));
    return AgentFactory.build(ConfigLoader.load(cfg, Map.of(), Map.of()), Clock.systemUTC())
        .start();
  }

  /** Sends {@code n} requests from the clients; returns {answered, failed}. */
  private long[] run(HttpClient client, String base, int n, Recorder overhead, int clients)
      throws InterruptedException {
    AtomicLong next = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      pool.execute(
          () -> {
            long i;
            while ((i = next.getAndIncrement()) < n) {
              String category = CATEGORIES.get((int) (i % CATEGORIES.size()));
              String body =
                  "{\"model\":\""
                      + category
                      + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"benchmark question number "
                      + i
                      + " about "
                      + category
                      + "\"}]}";
              long t0 = System.nanoTime();
              try {
                HttpResponse<String> r =
                    client.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - t0;
                if (r.statusCode() == 200) {
                  ok.incrementAndGet();
                  if (overhead != null) {
                    // The agents' backends are instant (time scale 0: they report the simulated
                    // latency but spend none), so the whole response time is overhead: HTTP,
                    // embedding, gate, MQTT both ways, the agent, aggregation.
                    overhead.recordValue(took / 1000);
                  }
                } else {
                  failed.incrementAndGet();
                }
              } catch (IOException e) {
                failed.incrementAndGet();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
    return new long[] {ok.get(), failed.get()};
  }

  private static int get(HttpClient client, String url) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static JsonNode json(HttpClient client, String url) {
    try {
      return JSON.readTree(
          client
              .send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } catch (IOException e) {
      return JSON.createArrayNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JSON.createArrayNode();
    }
  }

  private static long confirmed(HttpClient client, String base) {
    long n = 0;
    for (JsonNode a : json(client, base + "/api/fleet")) {
      n += a.path("online").asBoolean() && a.path("confirmed").asBoolean() ? 1 : 0;
    }
    return n;
  }

  private static long plans(HttpClient client, String base) {
    return json(client, base + "/api/plans").size();
  }

  private static String latestReason(HttpClient client, String base) {
    JsonNode p = json(client, base + "/api/plans");
    return p.size() == 0 ? "" : p.get(p.size() - 1).path("reason").asText();
  }

  private static void waitUntil(
      Duration max, java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(2);
    }
  }
}
