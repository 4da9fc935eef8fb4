package dev.moe2.tools.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.moe2.gating.data.DataFileException;
import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.CategorySpec;
import dev.moe2.optimizer.DevicePlan;
import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.ExhaustiveSelector;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.ExpertSelector;
import dev.moe2.optimizer.GreedySelector;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.optimizer.TimefoldSelector;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.FleetProblems;
import dev.moe2.planning.Qualities;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.ProfileLoadException;
import dev.moe2.profiles.UnknownProfileEntryException;
import dev.moe2.profiles.workload.SharedData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/plan}: plans a fleet offline and prints the plan. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    version = "moe2 plan 0.1.0",
    description = {
      "Plans which model runs on which device at which power mode, and which experts each",
      "application category may use within its worst-case delay and energy budgets (MoE2 §3).",
      "Exit status: 0 planned, 2 a bad file or option (the message names file, key and reason)."
    })
public final class PlanCommand implements Callable<Integer> {

  enum SelectorName {
    dmo,
    exhaustive,
    greedy,
    timefold
  }

  @Option(
      names = "--fleet",
      paramLabel = "ID|FILE",
      defaultValue = "reference",
      description = "Fleet id in the profile catalog, or a fleet file (default: ${DEFAULT-VALUE}).")
  String fleet;

  @Option(
      names = "--profiles",
      paramLabel = "FOLDER",
      description = "Load device profiles from FOLDER instead of the built-ins.")
  Path profiles;

  @Option(
      names = "--categories",
      paramLabel = "FILE",
      description =
          "Categories file (YAML: budgets, k, weights, Lin/Lout); default: the built-in one.")
  Path categories;

  @Option(
      names = "--qualities",
      paramLabel = "FILE",
      description = {
        "Per-prompt per-model qualities per category (JSON, see README). Default: the recorded",
        "RouterDC scores of each category's train prompts (its 'datasets' in the categories file),",
        "at most --max-prompts of them per category, from --routerdc."
      })
  Path qualities;

  @Option(
      names = "--routerdc",
      paramLabel = "FOLDER",
      description =
          "RouterDC score files to use as qualities (default: SHARED/routing/routerdc/split2_model7).")
  Path routerdc;

  @Option(
      names = "--shared",
      paramLabel = "FOLDER",
      defaultValue = "${env:MOE2_DEFAULT_SHARED:-../shared}",
      description = "The shared data folder (default: ${DEFAULT-VALUE}).")
  Path shared;

  @Option(
      names = "--time-limit",
      paramLabel = "SECONDS",
      description =
          "dmo: stop after this long and print the best plan found with its proven gap (default:"
              + " none: run until proven optimal).")
  Double timeLimitS;

  @Option(
      names = "--max-evaluations",
      paramLabel = "N",
      description =
          "dmo: stop after N objective evaluations (the machine-independent cost; never more than N"
              + " plus one expansion) and print the best plan found with its proven gap.")
  Long maxEvaluations;

  @Option(
      names = "--quiet",
      description = "dmo: no progress lines on stderr (one every second of search).")
  boolean quiet;

  @Option(
      names = "--max-prompts",
      defaultValue = "500",
      description =
          "At most this many prompts per category from RouterDC (default: ${DEFAULT-VALUE}).")
  int maxPrompts;

  @Option(
      names = "--selector",
      defaultValue = "dmo",
      description =
          "dmo (exact), exhaustive (oracle), greedy or timefold (default: ${DEFAULT-VALUE}).")
  SelectorName selector;

  @Option(
      names = "--power-cap",
      paramLabel = "WATTS",
      description = "Site power cap: the summed max power of the devices in use.")
  Double powerCap;

  @Option(
      names = "--timefold-seconds",
      defaultValue = "10",
      description = "Time limit of the timefold selector (default: ${DEFAULT-VALUE}).")
  long timefoldSeconds;

  @Option(names = "--json", description = "Print the plan as JSON.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger TIMEFOLD_LOG =
      java.util.logging.Logger.getLogger("ai.timefold");

  public static void main(String[] args) {
    // Timefold logs every solver phase at INFO; a command line only wants warnings.
    TIMEFOLD_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new PlanCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (powerCap != null && !(powerCap > 0)) {
        throw new IllegalArgumentException(
            "--power-cap has value " + powerCap + ": it must be > 0");
      }
      if (timeLimitS != null && !(timeLimitS > 0)) {
        throw new IllegalArgumentException(
            "--time-limit has value " + timeLimitS + ": it must be > 0 seconds");
      }
      if (maxEvaluations != null && maxEvaluations < 1) {
        throw new IllegalArgumentException(
            "--max-evaluations has value " + maxEvaluations + ": it must be >= 1");
      }
      if ((timeLimitS != null || maxEvaluations != null) && selector != SelectorName.dmo) {
        throw new IllegalArgumentException(
            "--time-limit and --max-evaluations apply to --selector dmo (timefold takes"
                + " --timefold-seconds)");
      }
      ProfileCatalog catalog =
          profiles == null ? ProfileCatalog.builtIn() : ProfileCatalog.load(profiles);
      Fleet f =
          fleet.matches(".*\\.(ya?ml|json)$")
              ? catalog.loadFleet(Path.of(fleet))
              : catalog.fleet(fleet);
      CategoriesFile cats =
          categories == null ? CategoriesFile.builtIn() : CategoriesFile.load(categories);
      for (dev.moe2.planning.CategoryConfig c : cats.categories()) {
        if (c.delayBudgetS() == 0 || c.energyBudgetJ() == 0) {
          err.printf(
              Locale.ROOT,
              "warning: category %s has a %s budget of 0: no expert can be usable for it%n",
              c.id(),
              c.delayBudgetS() == 0 ? "delay" : "energy");
        }
      }
      Qualities q =
          qualities != null
              ? Qualities.load(qualities)
              : Qualities.fromRouterDc(
                  routerdc != null ? routerdc : shared.resolve(SharedData.ROUTERDC),
                  f.models(),
                  cats,
                  maxPrompts);
      Problem problem = FleetProblems.build(f, cats, q, powerCap);
      Selection s = selector(selector, err).select(problem);
      out.println(json ? toJson(problem, s) : table(f, problem, s));
      out.flush();
      if (!s.provenOptimal() && selector == SelectorName.dmo) {
        err.printf(
            Locale.ROOT,
            "note: stopped at the limit after %d evaluations, %.1f s: %s%n",
            s.evaluations(),
            s.elapsedNanos() / 1e9,
            s.gap() > 0
                ? String.format(
                    Locale.ROOT,
                    "G = %.4f is within %.2f %% of the optimum (upper bound %.4f)",
                    s.objective(),
                    100 * s.gap(),
                    s.upperBound())
                : String.format(
                    Locale.ROOT,
                    "G = %.4f is proven optimal; the lowest-power plan among those with it is not"
                        + " proven",
                    s.objective()));
        err.flush();
      }
      return 0;
    } catch (DataFileException
        | ProfileLoadException
        | UnknownProfileEntryException
        | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private ExpertSelector selector(SelectorName name, PrintWriter err) {
    return switch (name) {
      case dmo ->
          new DmoSelector(
                  maxEvaluations == null ? Long.MAX_VALUE : maxEvaluations,
                  timeLimitS == null ? null : Duration.ofNanos((long) (timeLimitS * 1e9)))
              .withProgress(
                  quiet
                      ? null
                      : p -> {
                        err.printf(
                            Locale.ROOT,
                            "dmo: %.1f s, %d evaluations, best G %.4f, bound %.4f (gap %.2f %%),"
                                + " %d open%n",
                            p.elapsedNanos() / 1e9,
                            p.evaluations(),
                            p.incumbentG(),
                            p.boundG(),
                            100 * p.gap(),
                            p.open());
                        err.flush();
                      });
      case exhaustive -> new ExhaustiveSelector();
      case greedy -> new GreedySelector();
      case timefold ->
          TimefoldSelector.withTimeLimit(
              Duration.ofSeconds(timefoldSeconds),
              Duration.ofSeconds(Math.max(1, timefoldSeconds / 3)),
              1);
    };
  }

  static String table(Fleet fleet, Problem problem, Selection s) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "Plan for fleet %s by %s%s: G = %.4f (upper bound %.4f, gap %.2f %%), site power %.0f W%s,"
                + " %d objective evaluations, %.1f ms%n%n",
            fleet.id(),
            s.selector(),
            s.provenOptimal() ? " (proven optimal)" : "",
            s.objective(),
            s.upperBound(),
            100 * s.gap(),
            s.sitePowerW(),
            problem.sitePowerCapW().isPresent()
                ? String.format(
                    Locale.ROOT, " of %.0f W cap", problem.sitePowerCapW().getAsDouble())
                : "",
            s.evaluations(),
            s.elapsedNanos() / 1e6));
    sb.append(String.format(Locale.ROOT, "%-12s %-6s %s%n", "device", "mode", "resident models"));
    for (DevicePlan d : s.plan()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-12s %-6s %s%n",
              d.deviceId(),
              d.on() ? d.modeId() : "off",
              String.join(", ", d.models())));
    }
    sb.append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "%-10s %2s %7s %17s %19s %-16s %s%n",
            "category",
            "k",
            "F",
            "delay wc/budget s",
            "energy wc/budget J",
            "binding",
            "usable experts (model@device)"));
    for (int c = 0; c < s.categories().size(); c++) {
      CategoryOutcome o = s.categories().get(c);
      CategorySpec spec = problem.categories().get(c);
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10s %2d %7.4f %8.3f/%-8.3f %9.1f/%-9.1f %-16s %s%n",
              o.categoryId(),
              spec.k(),
              o.objective(),
              o.worstDelayS(),
              spec.delayBudgetS(),
              o.worstEnergyJ(),
              spec.energyBudgetJ(),
              o.binding().name().toLowerCase(Locale.ROOT),
              o.feasible()
                  ? o.usable().stream()
                      .map(e -> e.modelId() + "@" + e.deviceId())
                      .collect(Collectors.joining(", "))
                  : "none: " + o.infeasibility().reason()));
    }
    sb.append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "plan selector=%s objective=%.6f upper_bound=%.6f gap=%.6f proven_optimal=%s"
                + " evaluations=%d ms=%.1f site_power_w=%.1f infeasible_categories=%d",
            s.selector(),
            s.objective(),
            s.upperBound(),
            s.gap(),
            s.provenOptimal(),
            s.evaluations(),
            s.elapsedNanos() / 1e6,
            s.sitePowerW(),
            s.categories().stream().filter(o -> !o.feasible()).count()));
    return sb.toString();
  }

  static String toJson(Problem problem, Selection s) throws Exception {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("selector", s.selector());
    root.put("objective", s.objective());
    root.put("upperBound", nanToNull(s.upperBound()));
    root.put("gap", nanToNull(s.gap()));
    root.put("provenOptimal", s.provenOptimal());
    root.put("sitePowerW", s.sitePowerW());
    root.put(
        "sitePowerCapW",
        problem.sitePowerCapW().isPresent() ? problem.sitePowerCapW().getAsDouble() : null);
    root.put("evaluations", s.evaluations());
    root.put("elapsedMs", s.elapsedNanos() / 1e6);
    List<Map<String, Object>> devices = new ArrayList<>();
    for (DevicePlan d : s.plan()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("device", d.deviceId());
      m.put("mode", d.modeId());
      m.put("models", d.models());
      devices.add(m);
    }
    root.put("devices", devices);
    List<Map<String, Object>> categories = new ArrayList<>();
    for (int c = 0; c < s.categories().size(); c++) {
      CategoryOutcome o = s.categories().get(c);
      CategorySpec spec = problem.categories().get(c);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("category", o.categoryId());
      m.put("k", spec.k());
      m.put("feasible", o.feasible());
      m.put("objective", o.objective());
      m.put("worstDelayS", o.feasible() ? o.worstDelayS() : null);
      m.put("delayBudgetS", spec.delayBudgetS());
      m.put("worstEnergyJ", o.feasible() ? o.worstEnergyJ() : null);
      m.put("energyBudgetJ", spec.energyBudgetJ());
      m.put("binding", o.binding().name().toLowerCase(Locale.ROOT));
      List<Map<String, Object>> usable = new ArrayList<>();
      for (Expert e : o.usable()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("model", e.modelId());
        x.put("device", e.deviceId());
        x.put("mode", e.modeId());
        x.put("delayS", e.delayS());
        x.put("energyJ", e.energyJ());
        usable.add(x);
      }
      m.put("usable", usable);
      if (!o.feasible()) {
        m.put("reason", o.infeasibility().reason());
        m.put("minDelayBudgetS", nanToNull(o.infeasibility().minDelayBudgetS()));
        m.put("minEnergyBudgetJ", nanToNull(o.infeasibility().minEnergyBudgetJ()));
      }
      categories.add(m);
    }
    root.put("categories", categories);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
