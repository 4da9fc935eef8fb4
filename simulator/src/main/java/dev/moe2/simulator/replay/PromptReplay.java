package dev.moe2.simulator.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.ReferenceWorkload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Replays real prompts from the RouterDC test splits (MMLU, GSM8K, ARC-Challenge, HumanEval)
 * through the orchestrator's OpenAI-compatible API and scores each answer with the recorded score
 * of the expert that gave it, so accuracy is real for those experts. Also records energy, delay
 * (the experts' reported latency) and budget compliance per request.
 */
public final class PromptReplay {

  /**
   * One prompt with the recorded score of every expert (by model id).
   *
   * @param text what is sent (the question, or the question stretched; see {@link LengthMix})
   * @param maxTokens the request's {@code max_tokens} (null: the run's default)
   * @param k the request's {@code moe2.k} (null: the category's)
   */
  public record Prompt(
      String category,
      String question,
      Map<String, Double> scores,
      String text,
      Integer maxTokens,
      Integer k) {
    public Prompt(String category, String question, Map<String, Double> scores) {
      this(category, question, scores, question, null, null);
    }

    /** True when its text or max_tokens was stretched. */
    public boolean stretched() {
      return !text.equals(question) || maxTokens != null;
    }
  }

  /**
   * The outcome of one request.
   *
   * @param status HTTP status (200, 503, …; -1: no response)
   * @param answeredBy model id of the expert whose answer was returned
   * @param delayS the slowest replying expert's reported latency
   * @param endToEndS the orchestrator's end-to-end time for the request (its {@code totalMs})
   * @param message the error message (null when answered)
   * @param serverTimingMs the answer's {@code Server-Timing} metrics in ms (embed, select, experts,
   *     total; empty when absent)
   */
  public record Outcome(
      Prompt prompt,
      int status,
      String errorCode,
      String answeredBy,
      double score,
      double energyJ,
      double delayS,
      double delayBudgetS,
      double energyBudgetJ,
      double wallMs,
      double endToEndS,
      String message,
      Map<String, Double> serverTimingMs) {

    public Outcome {
      serverTimingMs = serverTimingMs == null ? Map.of() : Map.copyOf(serverTimingMs);
    }

    /** How late an answer may arrive past its delay budget (the orchestrator's wait, 50 ms). */
    public static final double GRACE_S = 0.05;

    public boolean answered() {
      return status == 200;
    }

    /**
     * An answer whose measured energy is over its energy budget, or whose delay is over its delay
     * budget plus the grace; the delay is the orchestrator's end-to-end time or, when larger, the
     * slowest expert's reported latency (a time-scaled simulation reports the device's latency, not
     * the scaled time that passed).
     */
    public boolean violated() {
      return answered()
          && (energyJ > energyBudgetJ + 1e-9 || delay() > delayBudgetS + GRACE_S + 1e-9);
    }

    /** The request's delay: end-to-end, or the slowest expert's reported latency when larger. */
    public double delay() {
      return Math.max(endToEndS, delayS);
    }

    /** Dispatched, but no expert answered in time (503 {@code no-answer}). */
    public boolean noAnswer() {
      return status == 503 && "no-answer".equals(errorCode);
    }

    /**
     * Refused before any energy was spent: no expert fits the request's budgets (422 {@code
     * over-budget}), every one that would is busy for longer than the budget leaves (503 {@code
     * fleet-busy}), or the orchestrator itself was too loaded to dispatch it in time (503 {@code
     * overloaded}).
     */
    public boolean refusedAtOnce() {
      return status == 422 && "over-budget".equals(errorCode)
          || status == 503 && ("fleet-busy".equals(errorCode) || "overloaded".equals(errorCode));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private PromptReplay() {}

  /** {@code perCategory} prompts of each category's test file, drawn with {@code seed}. */
  public static List<Prompt> load(Path routerDc, int perCategory, long seed) {
    return load(routerDc, perCategory, seed, 0);
  }

  /**
   * {@code perCategory} prompts of each category's test file after the first {@code skip} of the
   * same draw: {@code load(.., n, seed, m)} and {@code load(.., m, seed)} share no prompt (fewer
   * when a file has fewer than {@code skip + perCategory}).
   */
  public static List<Prompt> load(Path routerDc, int perCategory, long seed, int skip) {
    if (perCategory < 0 || skip < 0) {
      throw new IllegalArgumentException(
          "perCategory and skip must be >= 0; got " + perCategory + " and " + skip);
    }
    Map<String, String> idOf = new LinkedHashMap<>();
    for (ModelDescriptor m : ProfileCatalog.builtIn().modelCatalog("routerdc-7").models()) {
      idOf.put(m.name(), m.id());
    }
    List<Prompt> out = new ArrayList<>();
    for (String category : ReferenceWorkload.CATEGORIES) {
      String file = ReferenceWorkload.primary(category).testFile();
      Path p = routerDc.resolve(file);
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("RouterDC test file not found: " + p.toAbsolutePath());
      }
      JsonNode root;
      try {
        root = JSON.readTree(p.toFile());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage(), e);
      }
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < root.size(); i++) {
        idx.add(i);
      }
      Collections.shuffle(idx, new Random(seed + file.hashCode()));
      int from = Math.min(skip, idx.size());
      for (int i : idx.subList(from, Math.min(from + perCategory, idx.size()))) {
        JsonNode r = root.get(i);
        Map<String, Double> scores = new LinkedHashMap<>();
        r.path("scores")
            .fields()
            .forEachRemaining(
                e -> {
                  String id = idOf.get(e.getKey());
                  if (id != null) {
                    scores.put(id, e.getValue().asDouble());
                  }
                });
        out.add(new Prompt(category, r.path("question").asText(), scores));
      }
    }
    Collections.shuffle(out, new Random(seed));
    return out;
  }

  /**
   * Sends every prompt from {@code clients} concurrent clients; {@code progress} gets the count
   * done. {@code maxTokens} is sent for prompts without their own (0: none, the category's).
   *
   * @param apiKey a key with the client role, sent as {@code Authorization: Bearer}; null: none
   */
  public static List<Outcome> run(
      String baseUrl,
      String apiKey,
      List<Prompt> prompts,
      int clients,
      int maxTokens,
      IntConsumer progress)
      throws InterruptedException {
    List<Outcome> out = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try (CloseableHttpClient http = client(clients)) {
      for (int c = 0; c < clients; c++) {
        pool.execute(
            () -> {
              int i;
              while ((i = next.getAndIncrement()) < prompts.size()) {
                out.add(send(http, baseUrl, apiKey, prompts.get(i), maxTokens));
                progress.accept(done.incrementAndGet());
              }
            });
      }
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.HOURS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot close the HTTP client", e);
    }
    return List.copyOf(out);
  }

  /**
   * A blocking HTTP/1.1 client with one kept-alive connection per client thread, as the OpenAI SDKs
   * talk to a server (HTTP/1.1, keep-alive). The JDK's {@code java.net.http} client, which upgrades
   * to HTTP/2 over cleartext here, added 1.2–1.6 ms per request by itself on this 2-core machine
   * (ADR 0018): the load generator would have measured itself.
   */
  private static CloseableHttpClient client(int clients) {
    PoolingHttpClientConnectionManager connections =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(clients)
            .setMaxConnPerRoute(clients)
            .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.ofSeconds(5))
                    .setSocketTimeout(Timeout.ofSeconds(120))
                    .build())
            .build();
    return HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(
            RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(120)).build())
        .disableAutomaticRetries()
        .disableCookieManagement()
        .build();
  }

  static Outcome send(
      CloseableHttpClient http, String baseUrl, String apiKey, Prompt p, int maxTokens) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", p.category());
    int max = p.maxTokens() != null ? p.maxTokens() : maxTokens;
    if (max > 0) {
      body.put("max_tokens", max); // else the category's planned output length
    }
    body.putArray("messages").addObject().put("role", "user").put("content", p.text());
    if (p.k() != null) {
      body.putObject("moe2").put("k", p.k());
    }
    long t0 = System.nanoTime();
    try {
      HttpPost request = new HttpPost(baseUrl + "/v1/chat/completions");
      request.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
      if (apiKey != null) {
        request.setHeader("Authorization", "Bearer " + apiKey);
      }
      Reply r =
          http.execute(
              request,
              response ->
                  new Reply(
                      response.getCode(),
                      response.getEntity() == null
                          ? ""
                          : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8),
                      response.getFirstHeader("Server-Timing") == null
                          ? null
                          : response.getFirstHeader("Server-Timing").getValue()));
      double wall = (System.nanoTime() - t0) / 1e6;
      JsonNode j = JSON.readTree(r.body());
      if (r.status() != 200) {
        return new Outcome(
            p,
            r.status(),
            j.path("error").path("code").asText("?"),
            null,
            0,
            0,
            0,
            0,
            0,
            wall,
            0,
            j.path("error").path("message").asText(""),
            Map.of());
      }
      JsonNode d = j.path("moe2");
      String by = d.path("answeredBy").asText("");
      String model = by.contains("@") ? by.substring(0, by.indexOf('@')) : by;
      double delay = 0;
      for (JsonNode c : d.path("chosen")) {
        delay = Math.max(delay, c.path("measuredDelayS").asDouble(0));
      }
      return new Outcome(
          p,
          200,
          null,
          model,
          p.scores().getOrDefault(model, 0.0),
          d.path("energyJ").asDouble(),
          delay,
          d.path("delayBudgetS").asDouble(),
          d.path("energyBudgetJ").asDouble(),
          wall,
          d.path("totalMs").asDouble() / 1e3,
          null,
          serverTiming(r.serverTiming()));
    } catch (IOException e) {
      return new Outcome(
          p,
          -1,
          "io",
          null,
          0,
          0,
          0,
          0,
          0,
          (System.nanoTime() - t0) / 1e6,
          0,
          e.toString(),
          Map.of());
    }
  }

  private record Reply(int status, String body, String serverTiming) {}

  /**
   * The median of {@code value} (ms) over the answered outcomes that have one (null: none); NaN
   * when none has.
   */
  public static double p50Ms(
      List<Outcome> outcomes, java.util.function.Function<Outcome, Double> value) {
    org.HdrHistogram.DoubleHistogram h = new org.HdrHistogram.DoubleHistogram(3);
    for (Outcome o : outcomes) {
      Double v = o.answered() ? value.apply(o) : null;
      if (v != null) {
        h.recordValue(Math.max(0.001, v));
      }
    }
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50);
  }

  /**
   * The durations of a W3C {@code Server-Timing} header value ({@code name;dur=1.5, name2;dur=3}),
   * by metric name; metrics without a duration and unreadable ones are left out.
   */
  public static Map<String, Double> serverTiming(String header) {
    if (header == null || header.isBlank()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String metric : header.split(",")) {
      String[] parts = metric.split(";");
      String name = parts[0].trim();
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].trim();
        if (!name.isEmpty() && param.regionMatches(true, 0, "dur=", 0, 4)) {
          try {
            out.put(name, Double.parseDouble(param.substring(4).trim()));
          } catch (NumberFormatException e) {
            // a metric this reader cannot use: the others still count
          }
        }
      }
    }
    return out;
  }
}
