package dev.moe2.orchestrator.routing;

import dev.moe2.optimizer.AggregationTime;
import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.FineSelector;
import dev.moe2.optimizer.FineSelector.Pick;
import dev.moe2.optimizer.Rates;
import dev.moe2.optimizer.RequestCandidate;
import dev.moe2.optimizer.RequestChoice;
import dev.moe2.orchestrator.api.ApiException;
import dev.moe2.orchestrator.broker.MessageBus;
import dev.moe2.orchestrator.config.OrchestratorConfig;
import dev.moe2.orchestrator.fleet.AgentView;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.gate.GateService;
import dev.moe2.orchestrator.planning.PlanRecord;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.orchestrator.routing.Decision.ExpertStatus;
import dev.moe2.orchestrator.routing.Decision.Outcome;
import dev.moe2.orchestrator.tokens.TokenCounter;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ChatMessage;
import dev.moe2.protocol.ChatRole;
import dev.moe2.protocol.GenerationParams;
import dev.moe2.protocol.InferenceReply;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime path of one request (method.md §4), as a sequence of tested parts: embed → q(x) → the
 * category's usable set filtered by the request's budgets → top-k by q ({@link FineSelector}:
 * replica with the lowest load, then delay) → {@link Dispatcher} (deadline from the delay budget,
 * one re-dispatch) → {@link AnswerCombiner} → the answer with its {@link Decision}, recorded in the
 * {@link DecisionLog}. Failures end in a 503 with the reason.
 */
@Singleton
public class RequestRouter {

  /** The request as the API received it. */
  public record Ask(
      String model,
      List<ChatMessage> messages,
      Integer maxTokens,
      double temperature,
      double topP,
      Double delayBudgetS,
      Double energyBudgetJ,
      Integer k,
      String caller,
      Long seed,
      List<String> stop,
      String user) {

    public Ask {
      stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Without the OpenAI sampling extras ({@code seed}, {@code stop}, {@code user}). */
    public Ask(
        String model,
        List<ChatMessage> messages,
        Integer maxTokens,
        double temperature,
        double topP,
        Double delayBudgetS,
        Double energyBudgetJ,
        Integer k,
        String caller) {
      this(
          model,
          messages,
          maxTokens,
          temperature,
          topP,
          delayBudgetS,
          energyBudgetJ,
          k,
          caller,
          null,
          List.of(),
          null);
    }

    /** The same request, made by {@code caller} (an API key's id; never the key). */
    public Ask withCaller(String caller) {
      return new Ask(
          model,
          messages,
          maxTokens,
          temperature,
          topP,
          delayBudgetS,
          energyBudgetJ,
          k,
          caller,
          seed,
          stop,
          user);
    }
  }

  /** The answer with its decision. */
  public record Answer(
      String text,
      int promptTokens,
      int completionTokens,
      String finishReason,
      Decision decision,
      Timings timings) {
    public Answer {
      java.util.Objects.requireNonNull(decision, "decision");
      java.util.Objects.requireNonNull(timings, "timings");
    }
  }

  /**
   * Where the orchestrator's time for one answered request went (its {@code Server-Timing} response
   * header).
   *
   * @param embed the prompt's embedding, with any wait for an encoder run (near zero when cached)
   * @param select the category, the gate's q and the ranking of the usable experts
   * @param experts from the first dispatch to the last reply or deadline (the experts' round trip
   *     through the broker, their own time included)
   * @param total from the request's arrival to its combined, recorded answer
   */
  public record Timings(Duration embed, Duration select, Duration experts, Duration total) {
    public Timings {
      nonNegative(embed, "embed");
      nonNegative(select, "select");
      nonNegative(experts, "experts");
      nonNegative(total, "total");
    }

    private static void nonNegative(Duration d, String field) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(field + " has value " + d + ": it must be >= 0");
      }
    }

    /** From {@code a} to {@code b}; zero when a clock set back makes it negative. */
    static Duration between(Instant a, Instant b) {
      Duration d = Duration.between(a, b);
      return d.isNegative() ? Duration.ZERO : d;
    }
  }

  /** The category and budgets one request runs under. */
  record Target(
      String requestId,
      Instant start,
      String category,
      boolean predicted,
      double delayBudgetS,
      double energyBudgetJ,
      int k,
      int outputTokens,
      String caller,
      String user) {}

  /**
   * The experts of one request under its own budgets.
   *
   * @param first the experts that answer, each with its output cap
   * @param fallbacks the others that fit alone, best q first (for the one re-dispatch)
   * @param refusal why none fits (null when {@code first} is not empty or nothing was usable)
   * @param busyWaitS when refused only because of the queues (some expert would fit on an idle
   *     device): the shortest predicted wait among those; NaN otherwise
   * @param lateS when refused only because of the time the request spent in the orchestrator before
   *     it could be dispatched (with its whole budget some expert would fit): that time; NaN
   *     otherwise
   */
  record Ranking(
      List<String> usable,
      List<Dispatcher.Assignment> first,
      List<Dispatcher.Assignment> fallbacks,
      Map<String, Double> quality,
      String bound,
      RequestChoice.Refusal refusal,
      double busyWaitS,
      double lateS) {

    Ranking(
        List<String> usable,
        List<Dispatcher.Assignment> first,
        List<Dispatcher.Assignment> fallbacks,
        Map<String, Double> quality,
        String bound,
        RequestChoice.Refusal refusal) {
      this(usable, first, fallbacks, quality, bound, refusal, Double.NaN, Double.NaN);
    }
  }

  private static final double EPS = 1e-9;

  private final GateService gate;
  private final PlanningService planning;
  private final FleetRegistry fleet;
  private final MessageBus bus;
  private final InFlight inFlight;
  private final DecisionLog log;
  private final Dispatcher dispatcher;
  private final Clock clock;
  private final TokenCounter tokens;
  private final int deviceSlots;
  private final int minOutputTokens;
  private final boolean lengthAware;
  private final Duration replyMargin;
  private final double timingMargin;
  private final AtomicLong ids = new AtomicLong();
  private final io.opentelemetry.api.trace.Tracer tracer;

  /** Runs {@code work} in a span {@code name}, child of the current one (the HTTP request's). */
  private <T> T span(String name, java.util.function.Supplier<T> work) {
    io.opentelemetry.api.trace.Span s = tracer.spanBuilder(name).startSpan();
    try (io.opentelemetry.context.Scope scope = s.makeCurrent()) {
      return work.get();
    } catch (RuntimeException e) {
      s.recordException(e);
      s.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
      throw e;
    } finally {
      s.end();
    }
  }

  private final Object admission = new Object();

  RequestRouter(
      GateService gate,
      PlanningService planning,
      FleetRegistry fleet,
      MessageBus bus,
      RequestChannel channel,
      InFlight inFlight,
      DecisionLog log,
      Clock clock,
      TokenCounter tokens,
      OrchestratorConfig config,
      io.opentelemetry.api.trace.Tracer tracer) {
    this.tracer = tracer;
    this.tokens = tokens;
    this.deviceSlots = config.requests().deviceSlots();
    this.minOutputTokens = config.requests().minOutputTokens();
    this.gate = gate;
    this.planning = planning;
    this.fleet = fleet;
    this.bus = bus;
    this.inFlight = inFlight;
    this.log = log;
    this.clock = clock;
    this.lengthAware = config.requests().lengthAware();
    this.replyMargin = Duration.ofMillis(config.requests().replyMarginMs());
    this.timingMargin = config.requests().timingMargin();
    this.dispatcher = new Dispatcher(channel, inFlight, this::online, this::slots, clock);
  }

  public List<Decision> decisions() {
    return log.decisions();
  }

  public Answer route(Ask ask) {
    return route(ask, clock.instant());
  }

  /**
   * Routes a request that arrived at {@code arrived}: its delay budget counts from then (time spent
   * waiting for a worker is charged to it).
   */
  public Answer route(Ask ask, Instant arrived) {
    return route(ask, arrived, null);
  }

  /**
   * A streamed request's text as its expert generates it, the time its first text went out. Called
   * on the routing thread only.
   */
  private static final class TimedTap implements StreamTap {
    private final StreamTap to;
    private final Clock clock;
    private Instant first;

    TimedTap(StreamTap to, Clock clock) {
      this.to = to;
      this.clock = clock;
    }

    @Override
    public void dispatching(String requestId, String category) {
      to.dispatching(requestId, category);
    }

    @Override
    public void text(String piece) {
      if (first == null) {
        first = clock.instant();
      }
      to.text(piece);
    }

    @Override
    public boolean gone() {
      return to.gone();
    }
  }

  /**
   * Routes a request that arrived at {@code arrived}, streaming its answer's text to {@code tap} as
   * the expert with the highest q generates it ({@code null}: not streamed). Refusals before
   * dispatch throw before {@link StreamTap#dispatching} is called.
   */
  public Answer route(Ask ask, Instant arrived, StreamTap stream) {
    Instant start = arrived;
    TimedTap tap = stream == null ? null : new TimedTap(stream, clock);
    if (!gate.ready()) {
      throw new ApiException(
          503,
          "gate-not-ready",
          "the gate is not ready yet (" + gate.status() + "); retry shortly");
    }
    Instant by = start.plusNanos((long) (tightestBudgetS(ask) * 1e9));
    Instant embedding = clock.instant();
    float[] x = span("moe2.gate", () -> gate.embed(promptText(ask.messages()), by));
    Instant embedded = clock.instant();
    Target t = span("moe2.gate.category", () -> target(ask, x, start));
    if (!bus.connected()) {
      throw new ApiException(
          503,
          "broker-unavailable",
          "the link to the MQTT broker is down; no expert can be reached (retry shortly)");
    }
    Ranking r = span("moe2.select", () -> rank(t, x, ask.messages()));
    Instant selected = clock.instant();
    if (r.first().isEmpty()) {
      if (r.refusal() != null && Double.isNaN(r.busyWaitS()) && !Double.isNaN(r.lateS())) {
        record(t, r, List.of(), Outcome.OVERLOADED, null, null);
        throw new ApiException(
            503,
            "overloaded",
            String.format(
                Locale.ROOT,
                "the orchestrator is overloaded: %.3f s of the %s s delay budget went before this"
                    + " request could be dispatched, and no usable expert of %s fits what is left;"
                    + " retry shortly (with its whole budget it would fit)",
                r.lateS(),
                t.delayBudgetS(),
                t.category()));
      }
      if (r.refusal() != null && !Double.isNaN(r.busyWaitS())) {
        record(t, r, List.of(), Outcome.FLEET_BUSY, null, null);
        throw new ApiException(
            503,
            "fleet-busy",
            String.format(
                Locale.ROOT,
                "every expert of %s that could answer this request within its budgets (delay %s s,"
                    + " energy %s J) is busy: the shortest predicted wait for a slot is %.3f s,"
                    + " more than the budget leaves; retry shortly",
                t.category(),
                t.delayBudgetS(),
                t.energyBudgetJ(),
                r.busyWaitS()));
      }
      if (r.refusal() != null) {
        record(t, r, List.of(), Outcome.OVER_BUDGET, null, null);
        double spent = Duration.between(start, clock.instant()).toNanos() / 1e9;
        throw new ApiException(
            422, "over-budget", refusalReason(t, r.refusal(), spent, replyMargin.toNanos() / 1e9));
      }
      record(t, r, List.of(), Outcome.NO_USABLE_EXPERTS, null, null);
      throw new ApiException(503, "no-usable-experts", noUsableReason(t, r));
    }
    // the agents' deadline leaves the reply margin for the answer's way back and its handling
    Instant deadline =
        start.plusNanos((long) (t.delayBudgetS() * 1e9)).minusNanos(replyMargin.toNanos());
    GenerationParams params =
        new GenerationParams(
            t.outputTokens(),
            ask.temperature(),
            ask.topP(),
            ask.seed(),
            ask.stop().isEmpty() ? null : ask.stop());
    if (tap != null) {
      tap.dispatching(t.requestId(), t.category());
    }
    List<Dispatcher.Tracked> tracked;
    try {
      tracked =
          span(
              "moe2.dispatch",
              () ->
                  dispatcher.assigned(
                      new Dispatcher.Job(t.requestId(), ask.messages(), params, deadline, tap),
                      r.first(),
                      r.fallbacks()));
    } finally {
      // places reserved in the queues at ranking and not used leave them, whatever happened
      r.first().stream()
          .map(Dispatcher.Assignment::reserved)
          .filter(java.util.Objects::nonNull)
          .forEach(inFlight::leave);
    }
    List<Dispatcher.Tracked> sent = tracked;
    Marks marks = new Marks(embedding, embedded, selected, clock.instant());
    return span("moe2.combine", () -> answer(t, r, sent, tap, marks));
  }

  /**
   * What fits a budget, per usable expert of {@code category} (and replica) at its current rates
   * with an idle device: the largest {@code max_tokens} for a prompt of {@code promptTokens}
   * tokens, and the longest prompt (tokens, in the expert's tokenizer) for {@code maxTokens}; -1
   * when nothing does. The dashboard's what-if.
   */
  public List<Fit> fits(
      String category, double delayBudgetS, double energyBudgetJ, int promptTokens, int maxTokens) {
    if (planning.category(category).isEmpty()) {
      throw new ApiException(
          400,
          "unknown-category",
          "category '"
              + category
              + "' is not one of "
              + planning.categories().stream().map(CategoryConfig::id).toList());
    }
    if (!(delayBudgetS > 0) || !(energyBudgetJ > 0) || promptTokens < 0 || maxTokens < 1) {
      throw new ApiException(
          400,
          "invalid-what-if",
          "need delayBudgetS > 0, energyBudgetJ > 0, promptTokens >= 0 and maxTokens >= 1; got "
              + delayBudgetS
              + ", "
              + energyBudgetJ
              + ", "
              + promptTokens
              + ", "
              + maxTokens);
    }
    List<Fit> out = new ArrayList<>();
    for (Expert e : expertsOf(category, planning.usable(category))) {
      PlanningService.ExpertRates er = planning.rates(e).orElse(null);
      if (er == null) {
        continue;
      }
      RequestCandidate c =
          new RequestCandidate(
              e, current(er.rates(), e.deviceId()), er.link(), er.bytesPerToken(), promptTokens, 0);
      out.add(
          new Fit(
              e.modelId() + "@" + e.deviceId(),
              c.maxOutput(delayBudgetS, energyBudgetJ, 1 << 20),
              c.longestPrompt(delayBudgetS, energyBudgetJ, maxTokens),
              c.delayS(maxTokens),
              c.energyJ(maxTokens)));
    }
    return out;
  }

  /**
   * One expert in the what-if.
   *
   * @param maxTokensForPrompt the largest output that fits with the asked prompt length (-1: none)
   * @param longestPromptForMaxTokens the longest prompt that fits with the asked output (-1: none)
   * @param delayS its worst-case delay with the asked prompt and output
   * @param energyJ its worst-case energy with the asked prompt and output
   */
  public record Fit(
      String expert,
      int maxTokensForPrompt,
      int longestPromptForMaxTokens,
      double delayS,
      double energyJ) {}

  /** The category (given or predicted) and the budgets of the request. */
  /**
   * The delay budget this request may have, known before its prompt is embedded: its own, else its
   * category's, else (the category is predicted from the embedding) the tightest category's. The
   * encoder serves the earliest deadline first.
   */
  private double tightestBudgetS(Ask ask) {
    if (ask.delayBudgetS() != null) {
      return ask.delayBudgetS();
    }
    boolean predicted = ask.model() == null || ask.model().equals("auto");
    java.util.Optional<CategoryConfig> named =
        predicted ? java.util.Optional.empty() : planning.category(ask.model());
    return named
        .map(CategoryConfig::delayBudgetS)
        .orElseGet(
            () ->
                planning.categories().stream()
                    .mapToDouble(CategoryConfig::delayBudgetS)
                    .min()
                    .orElse(0));
  }

  private Target target(Ask ask, float[] x, Instant start) {
    boolean predicted = ask.model() == null || ask.model().equals("auto");
    String category = predicted ? gate.category(x) : ask.model();
    CategoryConfig cat =
        planning
            .category(category)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "model_not_found",
                        "the model '"
                            + category
                            + "' does not exist: the models are the categories "
                            + planning.categories().stream().map(CategoryConfig::id).toList()
                            + " and 'auto'"));
    // unique across replicas (their ids differ) and restarts (the start time)
    String requestId =
        "req-"
            + bus.id().value()
            + "-"
            + Long.toString(start.toEpochMilli(), 36)
            + "-"
            + ids.incrementAndGet();
    return new Target(
        requestId,
        start,
        category,
        predicted,
        ask.delayBudgetS() != null ? ask.delayBudgetS() : cat.delayBudgetS(),
        ask.energyBudgetJ() != null ? ask.energyBudgetJ() : cat.energyBudgetJ(),
        ask.k() != null ? ask.k() : cat.k(),
        ask.maxTokens() != null ? ask.maxTokens() : cat.outputTokens(),
        ask.caller(),
        ask.user());
  }

  /**
   * The experts of this request: the worst case of each usable expert (and replica) for the real
   * prompt, counted with the model's tokenizer, and the request's output length, from its current
   * rates, with the predicted wait for a slot on its device; the best-q subset of at most k that
   * fits the request's budgets together ({@link FineSelector#selectWithin}), each capped, each
   * taking its place in its device's queue at once.
   */
  private Ranking rank(Target t, float[] x, List<ChatMessage> messages) {
    List<Expert> usable = planning.usable(t.category());
    double[] q = gate.quality(x, t.category());
    Map<String, Double> quality = new LinkedHashMap<>();
    for (Expert e : usable) {
      quality.put(e.modelId(), quality(q, e.modelId()));
    }
    List<String> names = usable.stream().map(e -> e.modelId() + "@" + e.deviceId()).toList();
    String bound = bound(t.category());
    Map<String, Integer> counted = new java.util.HashMap<>();
    List<RequestCandidate> candidates = new ArrayList<>();
    AggregationTime aggregation = AggregationTime.NONE;
    CategoryConfig cat = planning.category(t.category()).orElseThrow();
    for (Expert e : expertsOf(t.category(), usable)) {
      PlanningService.ExpertRates er = planning.rates(e).orElse(null);
      if (er == null) {
        continue;
      }
      aggregation = er.aggregation();
      int prompt;
      if (!lengthAware) {
        prompt = cat.inputTokens(); // moe2.requests.length-aware=false: the planned length
      } else {
        try {
          prompt = promptTokens(e.modelId(), messages, counted);
        } catch (dev.moe2.orchestrator.tokens.UnknownTokenizerException missing) {
          continue; // logged at start-up; this model's length cannot be bounded
        }
      }
      candidates.add(
          new RequestCandidate(
              e, current(er.rates(), e.deviceId()), er.link(), er.bytesPerToken(), prompt, 0));
    }
    if (candidates.isEmpty()) {
      return new Ranking(names, List.of(), List.of(), quality, bound, null);
    }
    int output = lengthAware ? t.outputTokens() : cat.outputTokens();
    int min = Math.max(1, Math.min(minOutputTokens, output));
    FineSelector.RequestBudget budget;
    RequestChoice choice;
    double elapsed;
    Map<String, InFlight.Ticket> reserved = new java.util.HashMap<>();
    // the wait for a slot on its device is part of each expert's worst case, and the chosen take
    // their places in the queues at once: requests ranked at the same moment see each other
    synchronized (admission) {
      Instant at = clock.instant();
      candidates.replaceAll(
          c ->
              c.withQueueS(
                  inFlight.queueS(c.expert().deviceId(), slots(c.expert().deviceId()), at)));
      elapsed = Duration.between(t.start(), at).toNanos() / 1e9;
      double delayLeft = Math.max(1e-9, t.delayBudgetS() - elapsed - replyMargin.toNanos() / 1e9);
      budget = new FineSelector.RequestBudget(delayLeft, t.energyBudgetJ(), output, min);
      choice = FineSelector.selectWithin(candidates, quality, t.k(), budget, aggregation);
      if (!choice.refused()) {
        for (RequestChoice.CappedPick p : choice.picks()) {
          reserved.put(
              p.expert().modelId() + "@" + p.expert().deviceId(),
              inFlight.enqueue(p.expert().deviceId()));
        }
      }
    }
    if (choice.refused()) {
      return new Ranking(
          names,
          List.of(),
          List.of(),
          quality,
          bound,
          choice.refusal(),
          busyWait(candidates, quality, t.k(), budget, aggregation),
          late(candidates, quality, t, output, min, elapsed, aggregation));
    }
    List<Dispatcher.Assignment> first =
        choice.picks().stream()
            .map(
                p -> assign(p, t, reserved.get(p.expert().modelId() + "@" + p.expert().deviceId())))
            .toList();
    java.util.Set<String> taken = new java.util.HashSet<>();
    choice.picks().forEach(p -> taken.add(p.expert().modelId() + "@" + p.expert().deviceId()));
    List<Dispatcher.Assignment> fallbacks = new ArrayList<>();
    for (RequestCandidate c : candidates) {
      if (taken.contains(c.expert().modelId() + "@" + c.expert().deviceId())) {
        continue;
      }
      RequestChoice alone = FineSelector.selectWithin(List.of(c), quality, 1, budget, aggregation);
      if (!alone.refused()) {
        fallbacks.add(assign(alone.picks().get(0), t, null));
      }
    }
    fallbacks.sort(
        java.util.Comparator.comparingDouble((Dispatcher.Assignment a) -> -a.pick().quality())
            .thenComparingDouble(a -> a.pick().expert().delayS()));
    return new Ranking(names, first, fallbacks, quality, bound, null);
  }

  /**
   * When a refusal is due to the queues alone: the shortest predicted wait among the experts that
   * would fit on an idle device; NaN when none would (the request itself is over budget).
   */
  private static double busyWait(
      List<RequestCandidate> candidates,
      Map<String, Double> quality,
      int k,
      FineSelector.RequestBudget budget,
      AggregationTime aggregation) {
    if (candidates.stream().noneMatch(c -> c.queueS() > 0)) {
      return Double.NaN;
    }
    RequestChoice ifIdle =
        FineSelector.selectWithin(idle(candidates), quality, k, budget, aggregation);
    if (ifIdle.refused()) {
      return Double.NaN;
    }
    return candidates.stream()
        .filter(c -> c.queueS() > 0)
        .mapToDouble(RequestCandidate::queueS)
        .min()
        .orElse(Double.NaN);
  }

  /**
   * When a refusal is due to the time spent before dispatch alone (with its whole delay budget and
   * idle devices some expert would fit): that time; NaN otherwise.
   */
  private double late(
      List<RequestCandidate> candidates,
      Map<String, Double> quality,
      Target t,
      int output,
      int min,
      double elapsedS,
      AggregationTime aggregation) {
    if (!(elapsedS > 0.001)) {
      return Double.NaN;
    }
    FineSelector.RequestBudget whole =
        new FineSelector.RequestBudget(
            Math.max(1e-9, t.delayBudgetS() - replyMargin.toNanos() / 1e9),
            t.energyBudgetJ(),
            output,
            min);
    return FineSelector.selectWithin(idle(candidates), quality, t.k(), whole, aggregation).refused()
        ? Double.NaN
        : elapsedS;
  }

  /** The candidates as if their devices were idle. */
  private static List<RequestCandidate> idle(List<RequestCandidate> candidates) {
    return candidates.stream().map(c -> c.withQueueS(0)).toList();
  }

  /** {@code usable} (the category's usable experts, read once) and their replicas, once each. */
  private java.util.Collection<Expert> expertsOf(String category, List<Expert> usable) {
    Map<String, Expert> all = new LinkedHashMap<>();
    for (Expert e : usable) {
      all.putIfAbsent(e.modelId() + "@" + e.deviceId(), e);
      for (Expert r : planning.replicas(category, e.modelId())) {
        all.putIfAbsent(r.modelId() + "@" + r.deviceId(), r);
      }
    }
    return all.values();
  }

  /**
   * A capped pick as the dispatcher takes it: the expert carries its worst case at the cap. With
   * {@code moe2.requests.length-aware=false} (the earlier behaviour, for comparisons) it runs to
   * the request's own max_tokens without an energy cap.
   */
  private Dispatcher.Assignment assign(
      RequestChoice.CappedPick p, Target t, InFlight.Ticket reserved) {
    Expert e = p.expert();
    Expert atCap =
        new Expert(
            e.modelId(), e.deviceId(), e.modeId(), p.predictedDelayS(), p.predictedEnergyJ());
    Pick pick = new Pick(atCap, p.quality(), p.weight());
    if (!lengthAware) {
      return new Dispatcher.Assignment(pick, t.outputTokens(), null, reserved);
    }
    return new Dispatcher.Assignment(pick, Math.max(1, p.outputCap()), p, reserved);
  }

  /** The requests {@code agent} runs at once: its birth's word, else the configured default. */
  private int slots(String agent) {
    return fleet
        .agent(AgentId.of(agent))
        .map(AgentView::birth)
        .map(b -> b.maxConcurrent())
        .orElse(deviceSlots);
  }

  /**
   * The plan's rates of a device, slowed further when it is measured slower than planned, and by
   * the timing margin (the profiling error a worst case allows for).
   */
  private Rates current(Rates planned, String agent) {
    return planned.slowedBy(
        fleet
                .agent(AgentId.of(agent))
                .map(v -> v.slowdown() / v.plannedSlowdown())
                .filter(f -> f > 1)
                .orElse(1.0)
            * (1 + timingMargin));
  }

  /**
   * The prompt's tokens for a model: counted once per tokenizer family with the shared tokenizer
   * its catalog entry names, plus that entry's safety margin; a model without one is counted with
   * every family and the largest count plus 20 %.
   */
  private int promptTokens(
      String modelId, List<ChatMessage> messages, Map<String, Integer> counted) {
    ModelDescriptor.Tokenizer tk =
        fleet.model(modelId).map(ModelDescriptor::tokenizer).orElse(null);
    if (tk == null) {
      int most = 0;
      for (String family : List.of("llama2", "llama3")) {
        most = Math.max(most, counted.computeIfAbsent(family, f -> tokens.count(f, messages)));
      }
      return (int) Math.ceil(most * 1.2);
    }
    int n = counted.computeIfAbsent(tk.family(), f -> tokens.count(f, messages));
    return (int) Math.ceil(n * (1 + tk.margin()));
  }

  /**
   * @param spentS the budget spent before dispatch
   * @param marginS the reply margin kept at the end of the budget
   */
  private static String refusalReason(
      Target t, RequestChoice.Refusal r, double spentS, double marginS) {
    StringBuilder b =
        new StringBuilder("no usable expert of ")
            .append(t.category())
            .append(" can answer this request within its ")
            .append(r.binding())
            .append(" budget (delay ")
            .append(t.delayBudgetS())
            .append(" s, energy ")
            .append(t.energyBudgetJ())
            .append(" J, ")
            .append(t.outputTokens())
            .append(" output tokens");
    if (spentS > 0.01) {
      b.append(
          String.format(Locale.ROOT, "; %.3f s of the delay budget went before dispatch", spentS));
    }
    b.append(")");
    b.append(
        String.format(
            Locale.ROOT,
            "; the best expert, %s@%s, needs a delay budget of %.3f s and an energy budget of"
                + " %.1f J",
            r.best().modelId(),
            r.best().deviceId(),
            r.delayToAdmitBestS() + spentS + marginS,
            r.energyToAdmitBestJ()));
    if (r.longestPromptTokens() >= 0) {
      b.append("; a prompt of up to ").append(r.longestPromptTokens()).append(" tokens would fit");
    }
    if (r.largestMaxTokens() >= 0) {
      b.append("; at most ")
          .append(r.largestMaxTokens())
          .append(" output tokens (max_tokens) fit this prompt");
    }
    return b.toString();
  }

  private String noUsableReason(Target t, Ranking r) {
    if (!r.usable().isEmpty()) {
      return "no usable expert of "
          + t.category()
          + " fits the requested budgets (delay "
          + t.delayBudgetS()
          + " s, energy "
          + t.energyBudgetJ()
          + " J)";
    }
    List<AgentView> online = fleet.onlineAgents();
    if (online.isEmpty()) {
      return "no agent is online";
    }
    if (planning.current().isEmpty()) {
      return "the first plan, for the "
          + online.size()
          + " online agent(s), is being made; retry shortly";
    }
    PlanRecord plan = planning.current().get();
    List<String> pending =
        online.stream()
            .map(a -> a.id().value())
            .filter(a -> !planning.confirmed(a))
            .sorted()
            .toList();
    return "category "
        + t.category()
        + " has no usable expert under plan "
        + plan.version()
        + " ("
        + r.bound()
        + ")"
        + (pending.isEmpty()
            ? ""
            : "; online agents that have not applied it yet: " + pending + " (retry shortly)");
  }

  /** Combines the replies into the answer, or ends in 503 no-answer; records the decision. */
  /** When a request's embedding began and ended, its ranking ended and its experts were done. */
  private record Marks(Instant embedding, Instant embedded, Instant selected, Instant replied) {}

  private Answer answer(
      Target t, Ranking r, List<Dispatcher.Tracked> tracked, TimedTap tap, Marks marks) {
    List<Decision.Chosen> chosen = tracked.stream().map(RequestRouter::chosen).toList();
    if (tap != null && tap.gone()) {
      record(t, r, chosen, Outcome.CLIENT_GONE, null, null);
      throw new ApiException(
          499,
          "client-gone",
          "the client closed the stream; the experts still running were asked to stop");
    }
    List<InferenceReply> got =
        tracked.stream().filter(x -> x.reply != null).map(x -> x.reply).toList();
    if (got.isEmpty()
        && tracked.stream()
            .allMatch(x -> x.state == ExpertStatus.ERROR && "over-budget".equals(x.errorCode))) {
      // every agent asked refused before running anything: its own rates say even the prefill
      // would pass its energy cap. Nothing was spent; the request is over budget.
      Ranking refused =
          new Ranking(
              r.usable(),
              r.first(),
              r.fallbacks(),
              r.quality(),
              r.bound(),
              new RequestChoice.Refusal(
                  "agent", -1, -1, r.first().get(0).pick().expert(), Double.NaN, Double.NaN));
      record(t, refused, chosen, Outcome.OVER_BUDGET, null, null);
      throw new ApiException(
          422,
          "over-budget",
          "no usable expert of "
              + t.category()
              + " can answer this request within its budgets (delay "
              + t.delayBudgetS()
              + " s, energy "
              + t.energyBudgetJ()
              + " J): the agents asked ("
              + chosen.stream().map(c -> c.model() + "@" + c.agent()).toList()
              + ") measured that even the prefill of this prompt would pass their share of it or"
              + " finish after the deadline; nothing was run. A shorter prompt or larger budgets"
              + " would fit");
    }
    if (got.isEmpty()) {
      record(t, r, chosen, Outcome.NO_ANSWER, null, null);
      boolean retried = tracked.stream().anyMatch(x -> x.attempt > 1);
      throw new ApiException(
          503,
          "no-answer",
          "no expert answered within the delay budget of "
              + t.delayBudgetS()
              + " s: "
              + chosen.stream().map(c -> c.model() + "@" + c.agent() + " " + c.status()).toList()
              + (retried
                  ? "; the re-dispatch failed too"
                  : "; no other usable expert fits the remaining budget"));
    }
    InferenceReply best =
        AnswerCombiner.combine(
                got,
                InferenceReply::text,
                reply -> r.quality().getOrDefault(reply.modelId().value(), 0.0))
            .answer();
    Decision d;
    if (tap == null) {
      d = record(t, r, chosen, Outcome.ANSWERED, best, got);
    } else {
      // the text the client saw first: the streamed expert's pieces, else the answer at the end
      Instant first = tap.first != null ? tap.first : clock.instant();
      String streamedBy =
          tracked.stream()
              .filter(x -> x.streamedChars > 0)
              .map(x -> x.pick.expert().modelId() + "@" + x.pick.expert().deviceId())
              .findFirst()
              .orElse(best.modelId().value() + "@" + best.agentId().value());
      d =
          record(
              t,
              r,
              chosen,
              Outcome.ANSWERED,
              best,
              got,
              Duration.between(t.start(), first).toNanos() / 1e6,
              streamedBy);
    }
    return new Answer(
        best.text(),
        best.promptTokens(),
        got.stream().mapToInt(InferenceReply::completionTokens).sum(),
        best.finishReason() == dev.moe2.protocol.FinishReason.STOP ? "stop" : "length",
        d,
        new Timings(
            Timings.between(marks.embedding(), marks.embedded()),
            Timings.between(marks.embedded(), marks.selected()),
            Timings.between(marks.selected(), marks.replied()),
            Timings.between(t.start(), clock.instant())));
  }

  private static Decision.Chosen chosen(Dispatcher.Tracked t) {
    Expert e = t.pick.expert();
    InferenceReply reply = t.reply;
    return new Decision.Chosen(
        e.modelId(),
        e.deviceId(),
        t.pick.quality(),
        t.pick.weight(),
        e.delayS(),
        e.energyJ(),
        reply == null ? null : reply.latency().total().toNanos() / 1e9,
        reply == null ? null : reply.energy().joules().value(),
        reply == null ? null : reply.energy().source().label(),
        t.state == null ? ExpertStatus.NO_ANSWER : t.state,
        t.errorCode,
        t.attempt,
        t.assignment.maxTokens(),
        t.assignment.capped() == null ? null : t.assignment.capped().capBound().label(),
        t.assignment.capped() == null ? 0 : t.assignment.capped().queueS(),
        reply != null
            && (reply.finishReason() == dev.moe2.protocol.FinishReason.ENERGY_CAP
                || reply.finishReason() == dev.moe2.protocol.FinishReason.DEADLINE
                || reply.finishReason() == dev.moe2.protocol.FinishReason.LENGTH
                    && t.assignment.capped() != null
                    && t.assignment.capped().capBound() != RequestChoice.CapBound.MAX_TOKENS),
        t.assignment.capped() == null ? null : t.assignment.capped().energyShareJ(),
        reply == null ? null : reply.finishReason().label());
  }

  private Decision record(
      Target t,
      Ranking r,
      List<Decision.Chosen> chosen,
      Outcome outcome,
      InferenceReply best,
      List<InferenceReply> got) {
    return record(t, r, chosen, outcome, best, got, null, null);
  }

  private Decision record(
      Target t,
      Ranking r,
      List<Decision.Chosen> chosen,
      Outcome outcome,
      InferenceReply best,
      List<InferenceReply> got,
      Double ttftMs,
      String streamedBy) {
    Instant now = clock.instant();
    double ms = Duration.between(t.start(), now).toNanos() / 1e6;
    double joules =
        got == null ? 0 : got.stream().mapToDouble(g -> g.energy().joules().value()).sum();
    boolean violated =
        outcome == Outcome.ANSWERED
            && (joules > t.energyBudgetJ() + EPS
                || ms / 1e3 > t.delayBudgetS() + Dispatcher.GRACE.toNanos() / 1e9);
    return log.record(
        new Decision(
            t.requestId(),
            now,
            t.category(),
            t.predicted(),
            t.k(),
            t.delayBudgetS(),
            t.energyBudgetJ(),
            r.usable(),
            chosen,
            r.bound(),
            outcome,
            best == null ? null : best.text(),
            best == null ? null : best.modelId().value() + "@" + best.agentId().value(),
            ms,
            joules,
            violated,
            outcome == Outcome.OVER_BUDGET && r.refusal() != null ? r.refusal().binding() : null,
            t.caller(),
            t.user(),
            ttftMs,
            streamedBy));
  }

  private boolean online(String agent) {
    return fleet.agent(AgentId.of(agent)).map(AgentView::online).orElse(false);
  }

  private double quality(double[] q, String modelId) {
    String name = fleet.model(modelId).map(ModelDescriptor::name).orElse(modelId);
    int i = gate.experts().indexOf(name);
    return i < 0 ? 0 : q[i];
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
}
