package dev.moe2.orchestrator.routing;

import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.FineSelector;
import dev.moe2.optimizer.FineSelector.Pick;
import dev.moe2.orchestrator.api.ApiException;
import dev.moe2.orchestrator.broker.MessageBus;
import dev.moe2.orchestrator.fleet.AgentView;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.gate.GateService;
import dev.moe2.orchestrator.planning.PlanRecord;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.orchestrator.routing.Decision.ExpertStatus;
import dev.moe2.orchestrator.routing.Decision.Outcome;
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
      int maxTokens,
      double temperature,
      double topP,
      Double delayBudgetS,
      Double energyBudgetJ,
      Integer k) {}

  /** The answer with its decision. */
  public record Answer(String text, int promptTokens, int completionTokens, Decision decision) {}

  /** The category and budgets one request runs under. */
  record Target(
      String requestId,
      Instant start,
      String category,
      boolean predicted,
      double delayBudgetS,
      double energyBudgetJ,
      int k) {}

  /** The ranked experts of one request: all usable ones that fit, best first. */
  record Ranking(
      List<String> usable, List<Pick> ranked, Map<String, Double> quality, String bound) {
    List<Pick> first(int k) {
      return ranked.subList(0, Math.min(k, ranked.size()));
    }

    List<Pick> rest(int k) {
      return ranked.subList(Math.min(k, ranked.size()), ranked.size());
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
  private final AtomicLong ids = new AtomicLong();

  RequestRouter(
      GateService gate,
      PlanningService planning,
      FleetRegistry fleet,
      MessageBus bus,
      RequestChannel channel,
      InFlight inFlight,
      DecisionLog log,
      Clock clock) {
    this.gate = gate;
    this.planning = planning;
    this.fleet = fleet;
    this.bus = bus;
    this.inFlight = inFlight;
    this.log = log;
    this.clock = clock;
    this.dispatcher = new Dispatcher(channel, inFlight, this::online, clock);
  }

  public List<Decision> decisions() {
    return log.decisions();
  }

  public Answer route(Ask ask) {
    Instant start = clock.instant();
    if (!gate.ready()) {
      throw new ApiException(
          503,
          "gate-not-ready",
          "the gate is not ready yet (" + gate.status() + "); retry shortly");
    }
    float[] x = gate.embed(promptText(ask.messages()));
    Target t = target(ask, x, start);
    if (!bus.connected()) {
      throw new ApiException(
          503,
          "broker-unavailable",
          "the link to the MQTT broker is down; no expert can be reached (retry shortly)");
    }
    Ranking r = rank(t, x);
    if (r.ranked().isEmpty()) {
      record(t, r, List.of(), Outcome.NO_USABLE_EXPERTS, null, null);
      throw new ApiException(503, "no-usable-experts", noUsableReason(t, r));
    }
    Instant deadline = start.plusNanos((long) (t.delayBudgetS() * 1e9));
    GenerationParams params =
        new GenerationParams(ask.maxTokens(), ask.temperature(), ask.topP(), null, null);
    List<Dispatcher.Tracked> tracked =
        dispatcher.run(
            new Dispatcher.Job(t.requestId(), ask.messages(), params, deadline),
            r.first(t.k()),
            r.rest(t.k()));
    return answer(t, r, tracked);
  }

  /** The category (given or predicted) and the budgets of the request. */
  private Target target(Ask ask, float[] x, Instant start) {
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
    String requestId =
        "req-" + Long.toString(start.toEpochMilli(), 36) + "-" + ids.incrementAndGet();
    return new Target(
        requestId,
        start,
        category,
        predicted,
        ask.delayBudgetS() != null ? ask.delayBudgetS() : cat.delayBudgetS(),
        ask.energyBudgetJ() != null ? ask.energyBudgetJ() : cat.energyBudgetJ(),
        ask.k() != null ? ask.k() : cat.k());
  }

  /** The usable experts that fit the request's budgets, ranked by q (top-k first). */
  private Ranking rank(Target t, float[] x) {
    List<Expert> usable = planning.usable(t.category());
    double[] q = gate.quality(x, t.category());
    Map<String, Double> quality = new LinkedHashMap<>();
    for (Expert e : usable) {
      quality.put(e.modelId(), quality(q, e.modelId()));
    }
    List<Expert> fitting =
        usable.stream()
            .filter(
                e -> e.delayS() <= t.delayBudgetS() + EPS && e.energyJ() <= t.energyBudgetJ() + EPS)
            .toList();
    List<Expert> replicas = new ArrayList<>();
    for (Expert e : fitting) {
      replicas.addAll(planning.replicas(t.category(), e.modelId()));
    }
    List<Pick> ranked =
        fitting.isEmpty()
            ? List.of()
            : FineSelector.select(
                fitting, replicas, quality, fitting.size(), e -> inFlight.load(e.deviceId()));
    List<String> names = usable.stream().map(e -> e.modelId() + "@" + e.deviceId()).toList();
    return new Ranking(names, reweigh(ranked, t.k()), quality, bound(t.category()));
  }

  /** Weights are q renormalised over the first k (the ones that answer together). */
  private static List<Pick> reweigh(List<Pick> ranked, int k) {
    List<Pick> first = ranked.subList(0, Math.min(k, ranked.size()));
    double sum = first.stream().mapToDouble(Pick::quality).sum();
    List<Pick> out = new ArrayList<>();
    for (int i = 0; i < ranked.size(); i++) {
      Pick p = ranked.get(i);
      double w = i >= k ? 0 : sum > 0 ? p.quality() / sum : 1.0 / first.size();
      out.add(new Pick(p.expert(), p.quality(), w));
    }
    return out;
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
  private Answer answer(Target t, Ranking r, List<Dispatcher.Tracked> tracked) {
    List<Decision.Chosen> chosen = tracked.stream().map(RequestRouter::chosen).toList();
    List<InferenceReply> got =
        tracked.stream().filter(x -> x.reply != null).map(x -> x.reply).toList();
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
    Decision d = record(t, r, chosen, Outcome.ANSWERED, best, got);
    return new Answer(
        best.text(),
        best.promptTokens(),
        got.stream().mapToInt(InferenceReply::completionTokens).sum(),
        d);
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
        t.attempt);
  }

  private Decision record(
      Target t,
      Ranking r,
      List<Decision.Chosen> chosen,
      Outcome outcome,
      InferenceReply best,
      List<InferenceReply> got) {
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
            violated));
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
