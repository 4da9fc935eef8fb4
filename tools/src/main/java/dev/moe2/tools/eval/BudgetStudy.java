package dev.moe2.tools.eval;

import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.DmoSelector;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.GreedySelector;
import dev.moe2.optimizer.Problem;
import dev.moe2.optimizer.RandomSelector;
import dev.moe2.optimizer.Selection;
import dev.moe2.planning.CategoriesFile;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.planning.FleetProblems;
import dev.moe2.planning.Qualities;
import dev.moe2.profiles.Fleet;
import dev.moe2.profiles.ModelCatalog;
import dev.moe2.profiles.ModelDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Claim C3 on a fleet: along a budget sweep, MoE² (the DMO plan, then gate top-1 inside each
 * category's usable set) against the best single expert that fits the same budgets alone (one model
 * on its best device and mode; which model is chosen on the train prompts' recorded scores, like
 * the per-category best baseline), the greedy plan and random valid plans, all with the same gate.
 * The optimizer plans with the gate's predicted qualities on train prompts; realised scores are the
 * recorded ones on the categories' test splits. A category without a usable set scores 0.
 */
final class BudgetStudy {

  /** Random valid plans averaged per point. */
  static final int RANDOM_PLANS = 20;

  private final Fleet fleet;
  private final CategoriesFile categories;
  private final Qualities planning;
  private final Map<String, Integer> expertOf = new LinkedHashMap<>();
  private final Map<String, Split> tests;
  private final Map<String, double[][]> testQ = new LinkedHashMap<>();
  private final Map<String, double[][]> testY = new LinkedHashMap<>();
  private final Map<String, double[][]> trainQ = new LinkedHashMap<>();
  private final Map<String, double[][]> trainY;

  /**
   * @param planningPrompts embeddings of train prompts per category (the planning qualities)
   * @param tests the test split scored for each category
   */
  BudgetStudy(
      Fleet fleet,
      CategoriesFile categories,
      List<String> experts,
      QualityFunction gate,
      Map<String, List<float[]>> planningPrompts,
      Map<String, double[][]> planningScores,
      Map<String, Split> tests) {
    this.fleet = fleet;
    this.categories = categories;
    this.tests = Map.copyOf(tests);
    this.trainY = Map.copyOf(planningScores);
    List<String> ids = new ArrayList<>();
    for (ModelDescriptor m : fleet.models().models()) {
      int e = experts.indexOf(m.name());
      if (e < 0) {
        throw new IllegalArgumentException(
            "model " + m.id() + " (" + m.name() + ") is not among the gate's experts");
      }
      expertOf.put(m.id(), e);
      ids.add(m.id());
    }
    Map<String, float[][]> by = new LinkedHashMap<>();
    planningPrompts.forEach(
        (category, xs) -> {
          float[][] rows = new float[xs.size()][ids.size()];
          double[][] full = new double[xs.size()][];
          for (int i = 0; i < xs.size(); i++) {
            double[] qx = gate.q(xs.get(i), category);
            full[i] = qx;
            for (int m = 0; m < ids.size(); m++) {
              rows[i][m] = (float) qx[expertOf.get(ids.get(m))];
            }
          }
          by.put(category, rows);
          trainQ.put(category, full);
        });
    this.planning = new Qualities(ids, by);
    tests.forEach(
        (category, split) -> {
          double[][] q = new double[split.size()][];
          for (int i = 0; i < split.size(); i++) {
            q[i] = gate.q(split.x().get(i), category);
          }
          testQ.put(category, q);
          testY.put(category, split.y());
        });
  }

  /**
   * One point of a sweep: mean realised scores (weighted by category weight over the scored
   * categories).
   *
   * @param budget the swept value (J, s or W; infinite: no cap)
   * @param bestSingle the best single expert that fits (NaN: none fits)
   * @param moe2EnergyJ worst-case energy of the swept category's usable set under MoE² (NaN: none)
   * @param bestSingleEnergyJ the same for the best single expert
   * @param moe2Usable the models of that usable set
   */
  record Point(
      double budget,
      double moe2,
      double greedy,
      double random,
      double bestSingle,
      String bestSingleModel,
      double moe2EnergyJ,
      double bestSingleEnergyJ,
      String moe2Usable) {
    /** MoE² below the best single expert that fits the same budgets. */
    boolean violates() {
      return !Double.isNaN(bestSingle) && moe2 < bestSingle - 1e-9;
    }

    /** MoE² minus the best fitting single expert (NaN when none fits). */
    double gain() {
      return moe2 - bestSingle;
    }
  }

  /** The budget swept. */
  enum Axis {
    ENERGY("energy budget (J)"),
    DELAY("delay budget (s)"),
    POWER_CAP("site power cap (W)");

    final String label;

    Axis(String label) {
      this.label = label;
    }
  }

  /**
   * Sweeps {@code axis}: for ENERGY and DELAY the budget of {@code category}, scored on that
   * category; for POWER_CAP the site cap, scored over every category with a test split.
   */
  List<Point> sweep(Axis axis, String category, double[] values, IntConsumer progress) {
    List<String> scored = axis == Axis.POWER_CAP ? List.copyOf(tests.keySet()) : List.of(category);
    List<Point> points = new ArrayList<>();
    for (double value : values) {
      CategoriesFile swept =
          axis == Axis.POWER_CAP ? categories : withBudget(category, axis, value);
      Double cap = axis == Axis.POWER_CAP && Double.isFinite(value) ? value : null;
      Problem problem = FleetProblems.build(fleet, swept, planning, cap);
      Selection plan = new DmoSelector().select(problem);
      double moe2 = score(plan, scored);
      double greedy = score(new GreedySelector().select(problem), scored);
      double random = 0;
      for (int r = 0; r < RANDOM_PLANS; r++) {
        random += score(new RandomSelector(r + 1).select(problem), scored);
      }
      random /= RANDOM_PLANS;
      double bestSingle = Double.NaN;
      double bestOnTrain = Double.NaN;
      String bestModel = "none";
      double bestEnergy = Double.NaN;
      for (String model : planning.models()) {
        Selection alone = new DmoSelector().select(aloneProblem(model, swept, cap));
        if (scored.stream().noneMatch(c -> alone.category(c).feasible())) {
          continue;
        }
        double onTrain = score(alone, scored, trainQ, trainY);
        if (Double.isNaN(bestOnTrain) || onTrain > bestOnTrain) {
          bestOnTrain = onTrain;
          bestSingle = score(alone, scored);
          bestModel = model;
          bestEnergy = alone.category(scored.get(0)).worstEnergyJ();
        }
      }
      CategoryOutcome own = plan.category(scored.get(0));
      String usable =
          String.join("+", own.usable().stream().map(Expert::modelId).distinct().sorted().toList());
      points.add(
          new Point(
              value,
              moe2,
              greedy,
              random,
              bestSingle,
              bestModel,
              own.worstEnergyJ(),
              bestEnergy,
              own.feasible() ? usable : "none"));
      progress.accept(points.size());
    }
    return points;
  }

  private Problem aloneProblem(String model, CategoriesFile swept, Double cap) {
    ModelCatalog all = fleet.models();
    Fleet alone =
        new Fleet(
            fleet.id(),
            fleet.description(),
            fleet.devices(),
            new ModelCatalog(
                all.id(),
                all.description(),
                all.models().stream().filter(m -> m.id().equals(model)).toList()),
            fleet.sitePowerCapW());
    int column = planning.models().indexOf(model);
    Map<String, float[][]> by = new LinkedHashMap<>();
    planning
        .byCategory()
        .forEach(
            (c, rows) -> {
              float[][] one = new float[rows.length][1];
              for (int i = 0; i < rows.length; i++) {
                one[i][0] = rows[i][column];
              }
              by.put(c, one);
            });
    return FleetProblems.build(alone, swept, new Qualities(List.of(model), by), cap);
  }

  /** Weighted mean realised score over {@code scored}: gate top-1 inside each usable set. */
  private double score(Selection selection, List<String> scored) {
    return score(selection, scored, testQ, testY);
  }

  private double score(
      Selection selection,
      List<String> scored,
      Map<String, double[][]> qs,
      Map<String, double[][]> ys) {
    double sum = 0;
    double weights = 0;
    for (String c : scored) {
      double w =
          categories.categories().stream()
              .filter(x -> x.id().equals(c))
              .findFirst()
              .orElseThrow()
              .weight();
      weights += w;
      sum += w * realised(selection.category(c), qs.get(c), ys.get(c));
    }
    return sum / weights;
  }

  private double realised(CategoryOutcome outcome, double[][] q, double[][] y) {
    if (!outcome.feasible()) {
      return 0;
    }
    List<Integer> usable = new ArrayList<>();
    for (Expert e : outcome.usable()) {
      usable.add(expertOf.get(e.modelId()));
    }
    double sum = 0;
    for (int i = 0; i < q.length; i++) {
      int best = usable.get(0);
      for (int e : usable) {
        if (q[i][e] > q[i][best]) {
          best = e;
        }
      }
      sum += y[i][best];
    }
    return sum / q.length;
  }

  private CategoriesFile withBudget(String category, Axis axis, double budget) {
    List<CategoryConfig> out = new ArrayList<>();
    for (CategoryConfig x : categories.categories()) {
      out.add(
          x.id().equals(category)
              ? new CategoryConfig(
                  x.id(),
                  x.inputTokens(),
                  x.outputTokens(),
                  x.weight(),
                  x.k(),
                  axis == Axis.DELAY ? budget : x.delayBudgetS(),
                  axis == Axis.ENERGY ? budget : x.energyBudgetJ(),
                  x.datasets())
              : x);
    }
    return new CategoriesFile(out, categories.delayRule(), categories.aggregation());
  }
}
