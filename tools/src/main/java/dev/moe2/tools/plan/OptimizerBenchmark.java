package dev.moe2.tools.plan;

import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.ExhaustiveSelector;
import dev.moe2.optimizer.ExpertSelector;
import dev.moe2.optimizer.GreedySelector;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.Selection;
import dev.moe2.optimizer.TimefoldSelector;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.planning.FleetProblems;
import dev.moe2.planning.Qualities;
import dev.moe2.profiles.DeviceClass;
import dev.moe2.profiles.Figure;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ModelCatalog;
import dev.moe2.profiles.ModelDescriptor;
import dev.moe2.profiles.ProfileCatalog;
import dev.moe2.profiles.workload.SharedData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench-optimizer}: DMO, exhaustive, greedy and Timefold across fleets and budgets.
 */
@Command(
    name = "bench-optimizer",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the selectors on the reference fleet and on generated fleets of 2 to 256 devices,",
      "with the real RouterDC train scores (7 models) and seeded synthetic models (20), under tight,",
      "medium and loose budgets, and medium under a site power cap (reference fleet 150 W, 32 and",
      "64 devices 500 W, five Jetsons 100 W) and a 6-device fleet under memory pressure. Objective evaluations are the machine-independent cost; times are",
      "medians. dmo_ms_32dev_max is the slowest 32-device regime, dmo_64dev_gap_pct the largest",
      "proven gap of the 64-device runs given 1 s. Prints a table, then one summary line of",
      "key=value pairs."
    })
public final class OptimizerBenchmark implements Callable<Integer> {

  @Option(
      names = "--mem-seconds",
      defaultValue = "20",
      description =
          "Time limit of the DMO on the memory-pressure fleet (default: ${DEFAULT-VALUE}).")
  long memSeconds;

  @Option(names = "--shared", defaultValue = "../shared", description = "Shared data folder.")
  Path shared;

  @Option(names = "--repeats", defaultValue = "5", description = "Timed runs per cell (median).")
  int repeats;

  @Option(
      names = "--timefold-seconds",
      defaultValue = "10",
      description = "Time limit of Timefold on the largest fleets.")
  long timefoldSeconds;

  @Option(
      names = "--max-devices",
      defaultValue = "256",
      description = "Skip generated fleets larger than this (quick runs).")
  int maxDevices;

  @Option(
      names = "--dmo-evaluations",
      defaultValue = "1000000",
      description = "Evaluation budget of DMO per run (it reports its bound when it stops early).")
  long dmoEvaluations;

  @Option(
      names = "--suite",
      defaultValue = "all",
      description =
          "all, exact (reference and generated fleets, 7 real models) or synthetic (20 models).")
  String suite;

  private final PrintStream out = System.out;

  /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
  private static final java.util.logging.Logger TIMEFOLD_LOG =
      java.util.logging.Logger.getLogger("ai.timefold");

  public static void main(String[] args) {
    // Timefold logs every solver phase at INFO; a command line only wants warnings.
    TIMEFOLD_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(new CommandLine(new OptimizerBenchmark()).execute(args));
  }

  record Row(
      String fleet,
      int devices,
      int models,
      String regime,
      String selector,
      double medianMs,
      long evaluations,
      double objective,
      double upperBound,
      double gapPct,
      boolean exact,
      String check) {}

  /** The site power cap of the generated fleets' capped regime. */
  static final double GENERATED_CAP_W = 500;

  /** The five-Jetson fleet's site power cap. */
  static final double JETSON_CAP_W = 100;

  private final List<Row> rows = new ArrayList<>();

  @Override
  public Integer call() {
    ProfileCatalog catalog = ProfileCatalog.builtIn();
    Path routerdc = shared.resolve(SharedData.ROUTERDC);
    CategoriesFile reference = CategoriesFile.builtIn();
    Fleet ref = catalog.fleet("reference");
    Qualities real = Qualities.fromRouterDc(routerdc, ref.models(), reference, 500);
    Map<String, Double> regimes = new LinkedHashMap<>();
    regimes.put("tight", 0.8);
    regimes.put("medium", 1.0);
    regimes.put("loose", 3.0);

    int mismatches = 0;
    long exhaustiveEvals = 0;
    long dmoEvalsAtLargestExhaustive = 0;
    int largestExhaustive = 0;
    double refEvals = 0;
    double refMs = 0;
    double dmo32Ms = 0;
    boolean dmo32Exact = true;
    double tfGap256 = Double.NaN;
    double tfMs256 = Double.NaN;

    boolean exactSuite = !suite.equals("synthetic");
    boolean syntheticSuite = !suite.equals("exact");
    if (!exactSuite && !syntheticSuite || !List.of("all", "exact", "synthetic").contains(suite)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--suite has value '" + suite + "': use all, exact or synthetic");
    }
    if (exactSuite) {
      progress("reference fleet");
      for (var regime : regimes.entrySet()) {
        Problem p = FleetProblems.build(ref, scaled(reference, regime.getValue()), real, null);
        Row dmo = run("reference", p, 7, regime.getKey(), new DmoSelector(dmoEvaluations), repeats);
        if (regime.getKey().equals("medium")) {
          refEvals = dmo.evaluations();
          refMs = dmo.medianMs();
        }
        run("reference", p, 7, regime.getKey(), new GreedySelector(), repeats);
      }
      Problem capped = FleetProblems.build(ref, reference, real, 150.0);
      run("reference", capped, 7, "medium+cap150W", new DmoSelector(dmoEvaluations), repeats);

      int[] sizes = {2, 4, 8, 16, 32, 64, 256};
      for (int size : sizes) {
        if (size > maxDevices) {
          continue;
        }
        Fleet fleet = generated(catalog, size, ref.models(), 42);
        for (var regime : regimes.entrySet()) {
          progress(size + " devices, 7 models, " + regime.getKey());
          Problem p = FleetProblems.build(fleet, scaled(reference, regime.getValue()), real, null);
          String name = "gen-" + size;
          int reps = size <= 32 ? repeats : 1;
          Row dmo = run(name, p, 7, regime.getKey(), new DmoSelector(dmoEvaluations), reps);
          run(name, p, 7, regime.getKey(), new GreedySelector(), reps);
          if (ExhaustiveSelector.planCount(p) <= 300_000) {
            Row ex = run(name, p, 7, regime.getKey(), new ExhaustiveSelector(), 1);
            boolean same = ex.objective() == dmo.objective();
            if (!same) {
              mismatches++;
            }
            rows.set(rows.size() - 1, withCheck(ex, same ? "dmo=exhaustive" : "MISMATCH"));
            if (size >= largestExhaustive) {
              largestExhaustive = size;
              exhaustiveEvals = ex.evaluations();
              dmoEvalsAtLargestExhaustive = dmo.evaluations();
            }
          }
          if (size == 32) {
            dmo32Ms = Math.max(dmo32Ms, dmo.medianMs());
            dmo32Exact &= dmo.exact();
            run(name, p, 7, regime.getKey(), timefold(), 1);
          }
        }
        if (size == 32) {
          // power-capped: about half the uncapped optimum's 975 W
          progress(size + " devices, 7 models, medium+cap" + (int) GENERATED_CAP_W + "W");
          Problem p = FleetProblems.build(fleet, reference, real, GENERATED_CAP_W);
          Row dmo =
              run(
                  "gen-" + size,
                  p,
                  7,
                  "medium+cap" + (int) GENERATED_CAP_W + "W",
                  new DmoSelector(dmoEvaluations),
                  repeats);
          dmo32Ms = Math.max(dmo32Ms, dmo.medianMs());
          dmo32Exact &= dmo.exact();
        }
      }
    }

    // 64 devices: the DMO given one second, its proven gap; a 6-device fleet under memory
    // pressure (3 RTX 4090 + 3 Orin NX, every model fits everywhere only a few at a time)
    double gap64 = Double.NaN;
    boolean exact64 = true;
    double mem6Ms = Double.NaN;
    boolean mem6Exact = false;
    double jet5Ms = Double.NaN;
    boolean jet5Exact = false;
    if (exactSuite && maxDevices >= 64) {
      Fleet fleet = generated(catalog, 64, ref.models(), 42);
      for (var regime : regimes.entrySet()) {
        progress("64 devices, 7 models, " + regime.getKey() + ", DMO for 1 s");
        Problem p = FleetProblems.build(fleet, scaled(reference, regime.getValue()), real, null);
        Row dmo =
            run(
                "gen-64",
                p,
                7,
                regime.getKey() + " 1s",
                new DmoSelector(Long.MAX_VALUE, Duration.ofSeconds(1)),
                1);
        gap64 = Double.isNaN(gap64) ? dmo.gapPct() : Math.max(gap64, dmo.gapPct());
        exact64 &= dmo.exact();
      }
      progress("64 devices, 7 models, medium+cap" + (int) GENERATED_CAP_W + "W, DMO for 1 s");
      Row capped =
          run(
              "gen-64",
              FleetProblems.build(fleet, reference, real, GENERATED_CAP_W),
              7,
              "medium+cap" + (int) GENERATED_CAP_W + "W 1s",
              new DmoSelector(Long.MAX_VALUE, Duration.ofSeconds(1)),
              1);
      gap64 = Math.max(gap64, capped.gapPct());
      exact64 &= capped.exact();
    }
    if (exactSuite) {
      progress(
          "6 devices under memory pressure (3 RTX 4090 + 3 Orin NX), DMO for " + memSeconds + " s");
      Fleet mem = memoryPressure(catalog, ref.models());
      Problem p = FleetProblems.build(mem, reference, real, null);
      Row dmo =
          run(
              "mem-6",
              p,
              7,
              "medium",
              new DmoSelector(Long.MAX_VALUE, Duration.ofSeconds(memSeconds)),
              1);
      mem6Ms = dmo.medianMs();
      mem6Exact = dmo.exact();
      progress("5 Jetsons under a 100 W site power cap");
      Row jet =
          run(
              "jetson-5",
              FleetProblems.build(jetsons(catalog, ref.models()), reference, real, JETSON_CAP_W),
              7,
              "medium+cap" + (int) JETSON_CAP_W + "W",
              new DmoSelector(dmoEvaluations),
              repeats);
      jet5Ms = jet.medianMs();
      jet5Exact = jet.exact();
    }

    // 20 synthetic models: exact search is out of reach on the big devices; Timefold vs DMO's
    // bound.
    ModelCatalog synthetic = syntheticModels(20);
    for (int size : new int[] {8, 64, 256}) {
      if (size > maxDevices || !syntheticSuite) {
        continue;
      }
      Fleet fleet = generated(catalog, size, synthetic, 7);
      Qualities q = syntheticQualities(synthetic, reference, 300, 11);
      for (var regime : regimes.entrySet()) {
        progress(size + " devices, 20 models, " + regime.getKey());
        Problem p = FleetProblems.build(fleet, scaled(reference, regime.getValue()), q, null);
        String name = "gen-" + size + "/syn20";
        run(name, p, 20, regime.getKey(), new GreedySelector(), 1);
        Row tf = run(name, p, 20, regime.getKey(), timefold(), 1);
        if (size == 256) {
          tfGap256 = Double.isNaN(tfGap256) ? tf.gapPct() : Math.max(tfGap256, tf.gapPct());
          tfMs256 = Double.isNaN(tfMs256) ? tf.medianMs() : Math.max(tfMs256, tf.medianMs());
        }
      }
    }

    printTable();
    double evalsRatio =
        dmoEvalsAtLargestExhaustive == 0
            ? Double.NaN
            : (double) exhaustiveEvals / dmoEvalsAtLargestExhaustive;
    out.printf(
        Locale.ROOT,
        "optimizer mismatches=%d evals_ratio=%.0f evals_ratio_devices=%d ref_fleet_evals=%.0f"
            + " ref_fleet_ms=%.2f dmo_ms_32dev=%.1f dmo_ms_32dev_max=%.1f dmo_32dev_exact=%s"
            + " dmo_64dev_gap_pct=%.3f dmo_64dev_exact=%s dmo_ms_6dev_mem=%.0f dmo_6dev_mem_exact=%s"
            + " dmo_ms_5jetson_cap=%.0f dmo_5jetson_cap_exact=%s"
            + " timefold_gap_pct_256dev=%.3f timefold_ms_256dev=%.0f%n",
        mismatches,
        evalsRatio,
        largestExhaustive,
        refEvals,
        refMs,
        dmo32Ms,
        dmo32Ms,
        dmo32Exact,
        gap64,
        exact64,
        mem6Ms,
        mem6Exact,
        jet5Ms,
        jet5Exact,
        tfGap256,
        tfMs256);
    return 0;
  }

  private TimefoldSelector timefold() {
    return TimefoldSelector.withTimeLimit(
            Duration.ofSeconds(timefoldSeconds),
            Duration.ofSeconds(Math.max(1, timefoldSeconds / 2)),
            1)
        .withBoundEvaluations(20_000);
  }

  private Row run(String fleet, Problem p, int models, String regime, ExpertSelector s, int reps) {
    double[] ms = new double[reps];
    Selection last = null;
    for (int i = 0; i < reps; i++) {
      last = s.select(p);
      ms[i] = last.elapsedNanos() / 1e6;
    }
    Arrays.sort(ms);
    Row row =
        new Row(
            fleet,
            p.devices().size(),
            models,
            regime,
            s.name(),
            ms[reps / 2],
            last.evaluations(),
            last.objective(),
            last.upperBound(),
            100 * last.gap(),
            last.provenOptimal(),
            "");
    rows.add(row);
    return row;
  }

  private static Row withCheck(Row r, String check) {
    return new Row(
        r.fleet(),
        r.devices(),
        r.models(),
        r.regime(),
        r.selector(),
        r.medianMs(),
        r.evaluations(),
        r.objective(),
        r.upperBound(),
        r.gapPct(),
        r.exact(),
        check);
  }

  private void printTable() {
    out.printf(
        Locale.ROOT,
        "%n%-16s %5s %6s %-15s %-10s %11s %11s %9s %9s %8s %-6s %s%n",
        "fleet",
        "dev",
        "models",
        "budgets",
        "selector",
        "median ms",
        "evals",
        "G",
        "bound",
        "gap %",
        "exact",
        "check");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "%-16s %5d %6d %-15s %-10s %11.2f %11d %9.4f %9.4f %8.3f %-6s %s%n",
          r.fleet(),
          r.devices(),
          r.models(),
          r.regime(),
          r.selector(),
          r.medianMs(),
          r.evaluations(),
          r.objective(),
          r.upperBound(),
          r.gapPct(),
          r.exact(),
          r.check());
    }
  }

  private static void progress(String what) {
    System.err.println("bench-optimizer: " + what + " ...");
  }

  /** The reference categories with every budget scaled. */
  static CategoriesFile scaled(CategoriesFile c, double factor) {
    List<CategoryConfig> out = new ArrayList<>();
    for (CategoryConfig x : c.categories()) {
      out.add(
          new CategoryConfig(
              x.id(),
              x.inputTokens(),
              x.outputTokens(),
              x.weight(),
              x.k(),
              x.delayBudgetS() * factor,
              x.energyBudgetJ() * factor,
              x.datasets()));
    }
    return new CategoriesFile(out, c.delayRule(), c.aggregation());
  }

  /** 3 RTX 4090 and 3 Orin NX 16 GB, no power cap: few models fit each device at once. */
  static Fleet memoryPressure(ProfileCatalog catalog, ModelCatalog models) {
    DeviceClass nx = catalog.deviceClass("jetson-orin-nx-16gb");
    DeviceClass rtx = catalog.deviceClass("rtx-4090");
    List<Fleet.Device> devices = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      devices.add(
          new Fleet.Device(
              String.format(Locale.ROOT, "rtx-%03d", i),
              rtx,
              new Fleet.Link(0.5, 10_000, "10 GbE")));
      devices.add(
          new Fleet.Device(
              String.format(Locale.ROOT, "nx-%03d", i), nx, new Fleet.Link(4, 200, "Wi-Fi")));
    }
    return new Fleet("mem-6", "memory pressure", devices, models, null);
  }

  /** 3 AGX Orin 64 GB and 2 Orin NX 16 GB, for a tight site power cap. */
  static Fleet jetsons(ProfileCatalog catalog, ModelCatalog models) {
    DeviceClass agx = catalog.deviceClass("jetson-agx-orin-64gb");
    DeviceClass nx = catalog.deviceClass("jetson-orin-nx-16gb");
    List<Fleet.Device> devices = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      boolean big = i < 3;
      devices.add(
          new Fleet.Device(
              String.format(Locale.ROOT, "%s-%03d", big ? "agx" : "nx", i),
              big ? agx : nx,
              big ? new Fleet.Link(1, 1000, "GbE") : new Fleet.Link(4, 200, "Wi-Fi")));
    }
    return new Fleet("jetson-5", "five Jetsons", devices, models, null);
  }

  /** A seeded mix of device classes: 40 % AGX Orin 64GB, 30 % Orin NX 16GB, 30 % RTX 4090. */
  static Fleet generated(ProfileCatalog catalog, int size, ModelCatalog models, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DeviceClass agx = catalog.deviceClass("jetson-agx-orin-64gb");
    DeviceClass nx = catalog.deviceClass("jetson-orin-nx-16gb");
    DeviceClass rtx = catalog.deviceClass("rtx-4090");
    List<Fleet.Device> devices = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int pick = size == 2 ? (i == 0 ? 0 : 2) : r.nextInt(10);
      DeviceClass dc = pick < 4 ? agx : pick < 7 ? nx : rtx;
      Fleet.Link link =
          dc == rtx
              ? new Fleet.Link(0.5, 10_000, "10 GbE")
              : dc == nx ? new Fleet.Link(4, 200, "Wi-Fi") : new Fleet.Link(1, 1000, "GbE");
      String prefix = dc == agx ? "agx" : dc == nx ? "nx" : "rtx";
      devices.add(new Fleet.Device(String.format(Locale.ROOT, "%s-%03d", prefix, i), dc, link));
    }
    return new Fleet("gen-" + size, "generated", devices, models, null);
  }

  /** Seeded 7-8B 4-bit models with footprints between 5.8 and 6.3 GiB. */
  static ModelCatalog syntheticModels(int count) {
    List<ModelDescriptor> models = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = String.format(Locale.ROOT, "syn-%02d", i);
      double footprint = 5.8 + (i % 5) * 0.12;
      models.add(
          new ModelDescriptor(
              id,
              id,
              "7b-q4",
              "q4_k_m",
              Figure.derived(7.24, "synthetic"),
              Figure.derived(footprint - 1.75, "synthetic"),
              Figure.derived(footprint, "synthetic"),
              null));
    }
    return new ModelCatalog("synthetic-" + count, "seeded synthetic models", models);
  }

  /** Per category a skill per model plus per-prompt noise, clamped to [0, 1]. */
  static Qualities syntheticQualities(
      ModelCatalog models, CategoriesFile c, int prompts, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, float[][]> by = new LinkedHashMap<>();
    int n = models.models().size();
    for (CategoryConfig x : c.categories()) {
      double[] skill = new double[n];
      for (int m = 0; m < n; m++) {
        skill[m] = 0.3 + 0.5 * r.nextDouble();
      }
      float[][] rows = new float[prompts][n];
      for (int p = 0; p < prompts; p++) {
        double difficulty = r.nextDouble() - 0.5;
        for (int m = 0; m < n; m++) {
          double q = skill[m] - difficulty * 0.6 + (r.nextDouble() - 0.5) * 0.4;
          rows[p][m] = (float) Math.max(0, Math.min(1, q));
        }
      }
      by.put(x.id(), rows);
    }
    return new Qualities(models.models().stream().map(ModelDescriptor::id).toList(), by);
  }
}
