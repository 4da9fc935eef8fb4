package dev.moe2.orchestrator.routing;

import dev.moe2.gating.planning.CategoryConfig;
import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.Expert;
import dev.moe2.orchestrator.api.ApiException;
import dev.moe2.orchestrator.broker.FleetLink;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.AgentView;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.gate.GateService;
import dev.moe2.orchestrator.planning.PlanRecord;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.ErrorReport;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import dev.moe2.protocol.InferenceRequest;
import dev.moe2.protocol.Message;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.RequestId;
import dev.moe2.protocol.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime path of one request (method.md §4): embed → q(x) → the category's usable set → top-k
 * by q (replica with the lowest predicted delay, then load) → dispatch with a deadline from the
 * delay budget → aggregate (multiple choice: q-weighted vote over normalised options; free text:
 * the highest-q answer) → the answer with its explanation. Failure rules: missed deadlines and dead
 * agents are dropped; with nothing back, one re-dispatch to the next-best expert when the remaining
 * budget allows it; otherwise a 503 with the reason. Every request is recorded.
 */
@Singleton
public class RequestRouter {

  /** The request as the API received it. */
  public record Ask(
      String model,
      List<ChatMessage> messages,
      int maxTokens,
      double temperature,
      double topP,
      Double delayBudgetS,
      Double energyBudgetJ,
      Integer k) {}

  /** The answer with its decision. */
  public record Answer(String text, int promptTokens, int completionTokens, Decision decision) {}

  private static final Pattern OPTION =
      Pattern.compile("^\\s*(?:the answer is\\s*)?\\(?([A-Ea-e])\\)?(?:[.):,]|\\s|$)");
  private static final Duration GRACE = Duration.ofMillis(50);

  private final GateService gate;
  private final PlanningService planning;
  private final FleetRegistry fleet;
  private final FleetLink link;
  private final ReplyHub replies;
  private final int keep;
  private final Deque<Decision> decisions = new ArrayDeque<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final MeterRegistry metrics;
  private final Timer latency;
  private final DistributionSummary energy;
  private final Counter violations;

  RequestRouter(
      GateService gate,
      PlanningService planning,
      FleetRegistry fleet,
      FleetLink link,
      ReplyHub replies,
      OrchestratorConfig config,
      MeterRegistry metrics) {
    this.gate = gate;
    this.planning = planning;
    this.fleet = fleet;
    this.link = link;
    this.replies = replies;
    this.keep = config.requests().decisions();
    this.metrics = metrics;
    this.latency = metrics.timer("moe2_request_latency");
    this.energy = metrics.summary("moe2_request_energy_joules");
    this.violations = metrics.counter("moe2_budget_violations_total");
  }

  public synchronized List<Decision> decisions() {
    return List.copyOf(decisions);
  }

  public Answer route(Ask ask) {
    long start = System.nanoTime();
    String requestId =
        "req-" + Long.toString(System.currentTimeMillis(), 36) + "-" + ids.incrementAndGet();
    String prompt = promptText(ask.messages());
    float[] x = gate.embed(prompt);
    boolean predicted = ask.model() == null || ask.model().equals("auto");
    String category = predicted ? gate.category(x) : ask.model();
    CategoryConfig cat =
        planning
            .category(category)
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "unknown-category",
                        "model '"
                            + category
                            + "' is not a category ("
                            + planning.categories().stream().map(CategoryConfig::id).toList()
                            + ") or 'auto'"));
    double delayBudget = ask.delayBudgetS() != null ? ask.delayBudgetS() : cat.delayBudgetS();
    double energyBudget = ask.energyBudgetJ() != null ? ask.energyBudgetJ() : cat.energyBudgetJ();
    int k = ask.k() != null ? ask.k() : cat.k();
    if (!link.connected()) {
      throw new ApiException(
          503,
          "broker-unavailable",
          "the link to the MQTT broker is down; no expert can be reached (retry shortly)");
    }
    List<Expert> usable = planning.usable(category);
    String bound = bound(category);
    double[] q = gate.quality(x, category);
    Map<String, Double> qOf = new LinkedHashMap<>();
    for (Expert e : usable) {
      qOf.put(e.modelId(), quality(q, e.modelId()));
    }
    List<Expert> ranked =
        usable.stream()
            .filter(e -> e.delayS() <= delayBudget + 1e-9 && e.energyJ() <= energyBudget + 1e-9)
            .sorted(
                Comparator.comparingDouble((Expert e) -> -qOf.get(e.modelId()))
                    .thenComparing(Expert::modelId))
            .toList();
    List<String> usableNames = usable.stream().map(e -> e.modelId() + "@" + e.deviceId()).toList();
    if (ranked.isEmpty()) {
      String why =
          usable.isEmpty()
              ? planning.current().isEmpty()
                  ? "no plan yet: no agent is online"
                  : "category "
                      + category
                      + " has no usable expert under the current plan ("
                      + bound
                      + ")"
              : "no usable expert of "
                  + category
                  + " fits the requested budgets (delay "
                  + delayBudget
                  + " s, energy "
                  + energyBudget
                  + " J)";
      record(
          requestId,
          category,
          predicted,
          k,
          delayBudget,
          energyBudget,
          usableNames,
          List.of(),
          bound,
          "no-usable-experts",
          null,
          null,
          start,
          0,
          false);
      throw new ApiException(503, "no-usable-experts", why);
    }
    List<Expert> chosen = new ArrayList<>();
    for (Expert e : ranked) {
      if (chosen.size() == k) {
        break;
      }
      chosen.add(replica(category, e));
    }
    double qSum = chosen.stream().mapToDouble(e -> qOf.get(e.modelId())).sum();
    Instant issued = Instant.now();
    Instant deadline = issued.plusNanos((long) (delayBudget * 1e9));
    BlockingQueue<Message> box = replies.open(requestId);
    Map<String, Decision.Chosen> status = new LinkedHashMap<>();
    List<InferenceReply> got = new ArrayList<>();
    try {
      Set<String> waitingFor = new HashSet<>();
      for (Expert e : chosen) {
        dispatch(requestId, 1, e, ask, issued, deadline, waitingFor);
      }
      collect(box, waitingFor, deadline, got, status);
      int attempt = 1;
      if (got.isEmpty()) {
        Set<String> tried = new HashSet<>();
        chosen.forEach(e -> tried.add(e.modelId()));
        double left = Duration.between(Instant.now(), deadline).toNanos() / 1e9;
        Expert next =
            ranked.stream()
                .filter(e -> !tried.contains(e.modelId()) && e.delayS() <= left)
                .findFirst()
                .orElse(null);
        if (next != null) {
          attempt = 2;
          Expert r = replica(category, next);
          chosen.add(r);
          Set<String> again = new HashSet<>();
          dispatch(requestId, 2, r, ask, Instant.now(), deadline, again);
          collect(box, again, deadline, got, status);
        }
      }
      for (Expert e : chosen) {
        String key = e.deviceId();
        InferenceReply r =
            got.stream().filter(g -> g.agentId().value().equals(key)).findFirst().orElse(null);
        double w = qSum > 0 ? qOf.get(e.modelId()) / qSum : 1.0 / chosen.size();
        Decision.Chosen prior = status.get(key);
        status.put(
            key,
            new Decision.Chosen(
                e.modelId(),
                e.deviceId(),
                qOf.get(e.modelId()),
                w,
                e.delayS(),
                e.energyJ(),
                r == null ? null : r.latency().total().toNanos() / 1e9,
                r == null ? null : r.energy().joules().value(),
                r == null ? null : r.energy().source().label(),
                r != null ? "replied" : prior != null ? prior.status() : "no-answer",
                chosen.indexOf(e) >= k ? 2 : 1));
      }
      List<Decision.Chosen> asked = List.copyOf(status.values());
      if (got.isEmpty()) {
        String why =
            "no expert answered within the delay budget of "
                + delayBudget
                + " s: "
                + asked.stream().map(c -> c.model() + "@" + c.agent() + " " + c.status()).toList()
                + (attempt == 1
                    ? "; no other usable expert fits the remaining budget"
                    : "; the re-dispatch failed too");
        record(
            requestId,
            category,
            predicted,
            k,
            delayBudget,
            energyBudget,
            usableNames,
            asked,
            bound,
            "no-answer",
            null,
            null,
            start,
            0,
            false);
        throw new ApiException(503, "no-answer", why);
      }
      InferenceReply best = aggregate(got, qOf);
      double joules = got.stream().mapToDouble(r -> r.energy().joules().value()).sum();
      double seconds = (System.nanoTime() - start) / 1e9;
      boolean violated =
          joules > energyBudget + 1e-9 || seconds > delayBudget + GRACE.toNanos() / 1e9;
      Decision d =
          record(
              requestId,
              category,
              predicted,
              k,
              delayBudget,
              energyBudget,
              usableNames,
              asked,
              bound,
              "answered",
              best.text(),
              best.modelId().value() + "@" + best.agentId().value(),
              start,
              joules,
              violated);
      return new Answer(
          best.text(),
          best.promptTokens(),
          got.stream().mapToInt(InferenceReply::completionTokens).sum(),
          d);
    } finally {
      replies.close(requestId);
    }
  }

  private void dispatch(
      String requestId,
      int attempt,
      Expert e,
      Ask ask,
      Instant issued,
      Instant deadline,
      Set<String> waitingFor) {
    AgentId agent = AgentId.of(e.deviceId());
    InferenceRequest r =
        new InferenceRequest(
            RequestId.of(requestId),
            attempt,
            agent,
            ModelId.of(e.modelId()),
            ask.messages(),
            new GenerationParams(ask.maxTokens(), ask.temperature(), ask.topP(), null, null),
            issued,
            deadline,
            Topic.replies(link.id(), agent).name());
    inFlight.computeIfAbsent(e.deviceId(), a -> new AtomicInteger()).incrementAndGet();
    if (link.request(r)) {
      waitingFor.add(e.deviceId());
    } else {
      inFlight.get(e.deviceId()).decrementAndGet();
    }
  }

  private void collect(
      BlockingQueue<Message> box,
      Set<String> waitingFor,
      Instant deadline,
      List<InferenceReply> got,
      Map<String, Decision.Chosen> status) {
    Instant until = deadline.plus(GRACE);
    while (!waitingFor.isEmpty()) {
      long left = Duration.between(Instant.now(), until).toNanos();
      if (left <= 0) {
        break;
      }
      Message m;
      try {
        m = box.poll(Math.min(left, 20_000_000L), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
      if (m instanceof InferenceReply r) {
        if (waitingFor.remove(r.agentId().value())) {
          got.add(r);
          inFlight.get(r.agentId().value()).decrementAndGet();
        }
      } else if (m instanceof ErrorReport e) {
        if (waitingFor.remove(e.agentId().value())) {
          inFlight.get(e.agentId().value()).decrementAndGet();
          status.put(
              e.agentId().value(),
              new Decision.Chosen(
                  null,
                  e.agentId().value(),
                  0,
                  0,
                  0,
                  0,
                  null,
                  null,
                  null,
                  "error:" + e.code().label(),
                  0));
        }
      }
      // an agent that died while we wait is dropped at once (its last will)
      for (String a : List.copyOf(waitingFor)) {
        boolean alive = fleet.agent(AgentId.of(a)).map(AgentView::online).orElse(false);
        if (!alive) {
          waitingFor.remove(a);
          inFlight.get(a).decrementAndGet();
          status.put(
              a, new Decision.Chosen(null, a, 0, 0, 0, 0, null, null, null, "agent-died", 0));
        }
      }
    }
    for (String a : waitingFor) {
      inFlight.get(a).decrementAndGet();
      status.putIfAbsent(
          a, new Decision.Chosen(null, a, 0, 0, 0, 0, null, null, null, "deadline", 0));
    }
  }

  /**
   * The replica of {@code e}'s model with the lowest predicted delay, then the fewest in flight.
   */
  private Expert replica(String category, Expert e) {
    List<Expert> all = planning.replicas(category, e.modelId());
    if (all.isEmpty()) {
      return e;
    }
    return all.stream()
        .min(
            Comparator.comparingDouble(Expert::delayS)
                .thenComparingInt(
                    r -> inFlight.getOrDefault(r.deviceId(), new AtomicInteger()).get()))
        .orElse(e);
  }

  private double quality(double[] q, String modelId) {
    String name = fleet.model(modelId).map(ModelDescriptor::name).orElse(modelId);
    int i = gate.experts().indexOf(name);
    return i < 0 ? 0 : q[i];
  }

  /** Multiple choice: q-weighted vote over normalised options; free text: the highest q. */
  static InferenceReply aggregate(List<InferenceReply> got, Map<String, Double> qOf) {
    InferenceReply highest =
        got.stream()
            .max(Comparator.comparingDouble(r -> qOf.getOrDefault(r.modelId().value(), 0.0)))
            .orElseThrow();
    Map<String, Double> votes = new LinkedHashMap<>();
    for (InferenceReply r : got) {
      String option = option(r.text());
      if (option == null) {
        return highest;
      }
      votes.merge(option, qOf.getOrDefault(r.modelId().value(), 0.0), Double::sum);
    }
    String winner =
        votes.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .orElseThrow();
    return got.stream()
        .filter(r -> winner.equals(option(r.text())))
        .max(Comparator.comparingDouble(r -> qOf.getOrDefault(r.modelId().value(), 0.0)))
        .orElse(highest);
  }

  /** The option an answer names: a letter A–E, or a one-word answer; null for free text. */
  static String option(String text) {
    String t = text.strip();
    Matcher m = OPTION.matcher(t);
    if (m.find()) {
      return m.group(1).toUpperCase(Locale.ROOT);
    }
    String word = t.replaceAll("[\\p{Punct}]+$", "");
    return !word.isEmpty() && !word.contains(" ") && word.length() <= 24
        ? word.toUpperCase(Locale.ROOT)
        : null;
  }

  private String bound(String category) {
    PlanRecord p = planning.current().orElse(null);
    if (p == null) {
      return "no plan";
    }
    CategoryOutcome o = p.selection().category(category);
    return o.binding().toString().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static String promptText(List<ChatMessage> messages) {
    return messages.stream()
        .filter(m -> m.role() == ChatRole.USER)
        .reduce((a, b) -> b)
        .map(ChatMessage::content)
        .orElse(messages.get(messages.size() - 1).content());
  }

  private Decision record(
      String id,
      String category,
      boolean predicted,
      int k,
      double delay,
      double energyBudget,
      List<String> usable,
      List<Decision.Chosen> chosen,
      String bound,
      String outcome,
      String answer,
      String answeredBy,
      long start,
      double joules,
      boolean violated) {
    double ms = (System.nanoTime() - start) / 1e6;
    Decision d =
        new Decision(
            id,
            Instant.now(),
            category,
            predicted,
            k,
            delay,
            energyBudget,
            usable,
            chosen,
            bound,
            outcome,
            answer,
            answeredBy,
            ms,
            joules,
            violated);
    synchronized (this) {
      decisions.addLast(d);
      while (decisions.size() > keep) {
        decisions.removeFirst();
      }
    }
    latency.record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    metrics.counter("moe2_requests_total", "category", category, "outcome", outcome).increment();
    if (joules > 0) {
      energy.record(joules);
    }
    if (violated) {
      violations.increment();
    }
    return d;
  }
}
