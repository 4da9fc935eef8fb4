package dev.moe2.simulator.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.ReferenceWorkload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
      String message) {

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
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<Outcome> out = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
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
    return List.copyOf(out);
  }

  static Outcome send(HttpClient http, String baseUrl, String apiKey, Prompt p, int maxTokens) {
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
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(120))
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      if (apiKey != null) {
        request.header("Authorization", "Bearer " + apiKey);
      }
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      double wall = (System.nanoTime() - t0) / 1e6;
      JsonNode j = JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        return new Outcome(
            p,
            r.statusCode(),
            j.path("error").path("code").asText("?"),
            null,
            0,
            0,
            0,
            0,
            0,
            wall,
            0,
            j.path("error").path("message").asText(""));
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
          null);
    } catch (IOException e) {
      return new Outcome(
          p, -1, "io", null, 0, 0, 0, 0, 0, (System.nanoTime() - t0) / 1e6, 0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(p, -1, "interrupted", null, 0, 0, 0, 0, 0, 0, 0, "interrupted");
    }
  }
}
