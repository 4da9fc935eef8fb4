package dev.moe2.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.moe2.optimizer.BudgetSweep;
import dev.moe2.orchestrator.fleet.AgentView;
import dev.moe2.orchestrator.fleet.FleetRegistry;
import dev.moe2.orchestrator.planning.PlanRecord;
import dev.moe2.orchestrator.planning.PlanningService;
import dev.moe2.orchestrator.routing.Decision;
import dev.moe2.orchestrator.routing.RequestRouter;
import dev.moe2.planning.CategoryConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dashboard's API: fleet, experts, plans, decisions, Pareto frontier, budgets. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DashboardResource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final dev.moe2.protocol.JsonCodec CODEC = new dev.moe2.protocol.JsonCodec();

  private final FleetRegistry fleet;
  private final PlanningService planning;
  private final RequestRouter router;
  private final dev.moe2.orchestrator.planning.BudgetHistory budgets;
  private final dev.moe2.orchestrator.config.OrchestratorConfig config;
  private final dev.moe2.orchestrator.store.Store store;
  private final dev.moe2.orchestrator.routing.Activity activity;
  private final dev.moe2.orchestrator.broker.MessageBus bus;
  private final String brokerUri;

  DashboardResource(
      FleetRegistry fleet,
      PlanningService planning,
      RequestRouter router,
      dev.moe2.orchestrator.planning.BudgetHistory budgets,
      dev.moe2.orchestrator.config.OrchestratorConfig config,
      dev.moe2.orchestrator.store.Store store,
      dev.moe2.orchestrator.routing.Activity activity,
      dev.moe2.orchestrator.broker.MessageBus bus,
      dev.moe2.orchestrator.broker.BrokerService broker) {
    this.brokerUri = broker.uri();
    this.activity = activity;
    this.bus = bus;
    this.config = config;
    this.store = store;
    this.fleet = fleet;
    this.planning = planning;
    this.router = router;
    this.budgets = budgets;
  }

  /** Every category's current budgets and k. */
  @GET
  @Path("/budgets")
  public List<CategoryConfig> budgets() {
    return planning.categories();
  }

  /** Budget changes made through the API, latest first: who, when, old → new. */
  @GET
  @Path("/budget-changes")
  public List<dev.moe2.orchestrator.planning.BudgetHistory.Change> budgetChanges(
      @QueryParam("limit") Integer limit) {
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 1000) {
      throw new ApiException(
          400, "invalid-field", "field 'limit' has value " + n + ": it must be in [1, 1000]");
    }
    return budgets.recent(n);
  }

  @GET
  @Path("/fleet")
  public List<Map<String, Object>> fleet() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (AgentView a : fleet.agents()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("agentId", a.id().value());
      m.put("online", a.online());
      m.put("deviceClass", a.birth() == null ? null : a.birth().deviceClass());
      m.put("powerMode", a.state() == null ? null : a.state().powerMode());
      m.put(
          "residentModels",
          a.state() == null
              ? List.of()
              : a.state().residentModels().stream().map(Object::toString).toList());
      m.put("planVersion", a.state() == null ? 0 : a.state().planVersion());
      m.put("confirmed", planning.confirmed(a.id().value()));
      m.put("slowdown", a.slowdown());
      m.put("reason", a.state() == null ? null : a.state().reason());
      m.put("offlineReason", offlineReason(a));
      // when the agent last said something (its state or its latest profile): the page marks
      // agents that left
      java.time.Instant seen = a.state() == null ? null : a.state().timestamp();
      if (a.profile() != null && (seen == null || a.profile().windowEnd().isAfter(seen))) {
        seen = a.profile().windowEnd();
      }
      m.put("lastSeen", seen == null ? null : seen.toString());
      // as the agent sent it: the contract's units (ms, J), not Jackson's defaults for Duration
      m.put("profile", a.profile() == null ? null : contractJson(a.profile()));
      out.add(m);
    }
    return out;
  }

  /** Why an agent is not online, in words; null when it is. */
  static String offlineReason(AgentView a) {
    if (a.online()) {
      return null;
    }
    if (a.stale()) {
      return "unknown: this orchestrator lost the broker and has not heard from it since";
    }
    if (a.birth() == null || a.state() == null) {
      return "not heard from yet (no birth or no state)";
    }
    if (a.state().incarnation() != a.birth().incarnation()) {
      return "restarting: its new incarnation has not said it is online";
    }
    String said = a.state().reason();
    return said == null || said.isBlank() ? "offline" : "offline: " + said;
  }

  /**
   * This replica's last hour minute by minute (answered, 503, 422, budget violations, clients gone,
   * joules per category, median time to first token) and the state of its broker link.
   */
  @GET
  @Path("/activity")
  public Map<String, Object> activity() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("minutes", activity.lastHour());
    Map<String, Object> broker = new LinkedHashMap<>();
    broker.put("connected", bus.connected());
    broker.put("uri", brokerUri);
    broker.put("orchestrator", bus.id().value());
    out.put("broker", broker);
    out.put("categories", planning.categories().stream().map(CategoryConfig::id).toList());
    return out;
  }

  /**
   * What a budget change would do before an operator applies it: the fleet planned with the
   * category's budgets and k as given (blank: unchanged) beside the current plan — the category's
   * usable experts, its worst-case delay and energy, the bound that binds, and the objective.
   */
  @GET
  @Path("/budgets/{category}/preview")
  public Map<String, Object> preview(
      @PathParam("category") String category,
      @QueryParam("delayBudgetS") Double delayBudgetS,
      @QueryParam("energyBudgetJ") Double energyBudgetJ,
      @QueryParam("k") Integer k) {
    if (planning.category(category).isEmpty()) {
      throw new ApiException(404, "unknown-category", "category '" + category + "' does not exist");
    }
    if (delayBudgetS != null && !(delayBudgetS > 0 && delayBudgetS <= Fields.MAX_DELAY_BUDGET_S)
        || energyBudgetJ != null
            && !(energyBudgetJ > 0 && energyBudgetJ <= Fields.MAX_ENERGY_BUDGET_J)
        || k != null && (k < 1 || k > Fields.MAX_K)) {
      throw new ApiException(
          400,
          "invalid-what-if",
          "the preview takes 0 < delayBudgetS <= "
              + Fields.MAX_DELAY_BUDGET_S
              + ", 0 < energyBudgetJ <= "
              + Fields.MAX_ENERGY_BUDGET_J
              + ", 1 <= k <= "
              + Fields.MAX_K
              + "; got "
              + delayBudgetS
              + ", "
              + energyBudgetJ
              + ", "
              + k);
    }
    PlanningService.BudgetPreview p =
        planning
            .preview(category, delayBudgetS, energyBudgetJ, k)
            .orElseThrow(
                () ->
                    new ApiException(
                        503, "no-fleet", "no agent is online: there is nothing to plan yet"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("category", category);
    out.put("current", side(p.current(), p.before()));
    out.put("proposed", side(p.proposed(), p.after()));
    return out;
  }

  private static Map<String, Object> side(CategoryConfig c, dev.moe2.optimizer.Selection s) {
    dev.moe2.optimizer.CategoryOutcome o = s.category(c.id());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("delayBudgetS", c.delayBudgetS());
    m.put("energyBudgetJ", c.energyBudgetJ());
    m.put("k", c.k());
    m.put("objective", finite(s.objective()));
    m.put("categoryObjective", finite(o.objective()));
    m.put("feasible", o.feasible());
    m.put("usable", o.usable().stream().map(e -> e.modelId() + "@" + e.deviceId()).toList());
    m.put("worstDelayS", finite(o.worstDelayS()));
    m.put("worstEnergyJ", finite(o.worstEnergyJ()));
    m.put(
        "binding",
        o.binding() == null ? null : o.binding().name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  /** The value, or null when it is not a number (nothing usable: no worst case). */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** A message as the contract writes it (ms, J), for the dashboard API. */
  static JsonNode contractJson(dev.moe2.protocol.Message message) {
    try {
      return JSON.readTree(CODEC.encode(message));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @GET
  @Path("/experts")
  public List<Map<String, Object>> experts() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (AgentView a : fleet.agents()) {
      if (a.birth() == null) {
        continue;
      }
      a.birth()
          .experts()
          .forEach(
              e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("agentId", a.id().value());
                m.put("modelId", e.modelId().value());
                m.put("backend", e.backend());
                m.put("online", a.online());
                m.put(
                    "resident",
                    a.state() != null && a.state().residentModels().contains(e.modelId()));
                out.add(m);
              });
    }
    return out;
  }

  /** Which replica answers, which one plans (the planning lease) and on what database. */
  @GET
  @Path("/planner")
  public Map<String, Object> planner() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("replica", config.orchestratorId());
    m.put("planning", planning.planner());
    m.put("planner", planning.plannerId().orElse(null));
    m.put("planVersion", planning.current().map(PlanRecord::version).orElse(null));
    m.put("database", store.product());
    return m;
  }

  @GET
  @Path("/plans")
  public List<Map<String, Object>> plans() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PlanRecord p : planning.history()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", p.version());
      m.put("createdAt", p.createdAt().toString());
      m.put("reason", p.reason());
      m.put("planMs", p.planMs());
      m.put("objective", p.selection().objective());
      m.put("selector", p.selection().selector());
      m.put("optimality", p.optimality());
      m.put("gap", p.selection().gap());
      m.put("devices", p.selection().plan());
      m.put(
          "categories",
          p.selection().categories().stream()
              .map(
                  c -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("category", c.categoryId());
                    x.put("feasible", c.feasible());
                    x.put("usable", c.usable());
                    x.put("objective", c.objective());
                    x.put("worstDelayS", Double.isNaN(c.worstDelayS()) ? null : c.worstDelayS());
                    x.put("worstEnergyJ", Double.isNaN(c.worstEnergyJ()) ? null : c.worstEnergyJ());
                    x.put("binding", c.binding());
                    return x;
                  })
              .toList());
      out.add(m);
    }
    return out;
  }

  @GET
  @Path("/decisions")
  public List<Decision> decisions() {
    return router.decisions();
  }

  @GET
  @Path("/pareto")
  public List<Map<String, Object>> pareto(@QueryParam("category") String category) {
    CategoryConfig c = category(category);
    double top = c.energyBudgetJ() * 4;
    double[] values = new double[24];
    for (int i = 0; i < values.length; i++) {
      values[i] = top * (i + 1) / values.length;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (BudgetSweep.Point p : planning.pareto(c.id(), values)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("energyBudgetJ", p.budget());
      m.put("objective", p.objective());
      m.put("categoryObjective", p.categoryObjective());
      m.put("pareto", p.pareto());
      m.put(
          "usable",
          p.selection().category(c.id()).usable().stream()
              .map(e -> e.modelId() + "@" + e.deviceId())
              .toList());
      out.add(m);
    }
    return out;
  }

  /**
   * What-if for one request: per usable expert, the largest max_tokens that fits the budgets with a
   * prompt of {@code promptTokens} tokens, and the longest prompt that fits with {@code maxTokens}
   * (budgets default to the category's).
   */
  @GET
  @Path("/fits")
  public List<RequestRouter.Fit> fits(
      @QueryParam("category") String category,
      @QueryParam("delayBudgetS") Double delayBudgetS,
      @QueryParam("energyBudgetJ") Double energyBudgetJ,
      @QueryParam("promptTokens") Integer promptTokens,
      @QueryParam("maxTokens") Integer maxTokens) {
    CategoryConfig c = category(category);
    if (delayBudgetS != null && delayBudgetS > Fields.MAX_DELAY_BUDGET_S
        || energyBudgetJ != null && energyBudgetJ > Fields.MAX_ENERGY_BUDGET_J
        || promptTokens != null && promptTokens > MAX_WHAT_IF_PROMPT
        || maxTokens != null && maxTokens > Fields.MAX_TOKENS) {
      throw new ApiException(
          400,
          "invalid-what-if",
          "the what-if takes delayBudgetS <= "
              + Fields.MAX_DELAY_BUDGET_S
              + ", energyBudgetJ <= "
              + Fields.MAX_ENERGY_BUDGET_J
              + ", promptTokens <= "
              + MAX_WHAT_IF_PROMPT
              + ", maxTokens <= "
              + Fields.MAX_TOKENS);
    }
    return router.fits(
        c.id(),
        delayBudgetS != null ? delayBudgetS : c.delayBudgetS(),
        energyBudgetJ != null ? energyBudgetJ : c.energyBudgetJ(),
        promptTokens != null ? promptTokens : c.inputTokens(),
        maxTokens != null ? maxTokens : c.outputTokens());
  }

  /** The longest prompt the what-if considers, tokens. */
  static final int MAX_WHAT_IF_PROMPT = 10_000_000;

  @PUT
  @Path("/budgets/{category}")
  @Consumes(MediaType.APPLICATION_JSON)
  public CategoryConfig budgets(
      @PathParam("category") String category, byte[] body, io.vertx.ext.web.RoutingContext rc) {
    if (planning.category(category).isEmpty()) {
      throw new ApiException(404, "unknown-category", "category '" + category + "' does not exist");
    }
    JsonNode root;
    try {
      root = JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new ApiException(400, "invalid-json", "the body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(400, "invalid-json", "the body must be a JSON object");
    }
    Double delay = Fields.delayBudget(root, "delayBudgetS", "delayBudgetS");
    Double energy = Fields.energyBudget(root, "energyBudgetJ", "energyBudgetJ");
    Integer k = Fields.integer(root, "k", "k", 1, Fields.MAX_K);
    return budgets.change(
        category, delay, energy, k, dev.moe2.orchestrator.security.SiteSecurity.keyIdOf(rc));
  }

  /** The category named by a query parameter, or a 400 naming the known ones. */
  private CategoryConfig category(String category) {
    return planning
        .category(category == null ? "" : category)
        .orElseThrow(
            () ->
                new ApiException(
                    400,
                    "unknown-category",
                    "query parameter 'category' must be one of "
                        + planning.categories().stream().map(CategoryConfig::id).toList()
                        + ", got '"
                        + category
                        + "'"));
  }
}
