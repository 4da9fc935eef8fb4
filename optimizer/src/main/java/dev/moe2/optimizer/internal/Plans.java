package dev.moe2.optimizer.internal;

import dev.moe2.optimizer.Binding;
import dev.moe2.optimizer.CategoryOutcome;
import dev.moe2.optimizer.CategorySpec;
import dev.moe2.optimizer.DelayRule;
import dev.moe2.optimizer.DevicePlan;
import dev.moe2.optimizer.Expert;
import dev.moe2.optimizer.Infeasibility;
import dev.moe2.optimizer.Selection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Scores complete plans and turns them into {@link Selection}s. */
public final class Plans {

  private Plans() {}

  /** The candidates of a plan, written into {@code buffer}; returns how many. */
  public static int candidates(Instance in, Option[] plan, int[] buffer) {
    int n = 0;
    for (Option o : plan) {
      if (o.on()) {
        for (int m = 0; m < in.models; m++) {
          if ((o.mask() & (1L << m)) != 0) {
            buffer[n++] = in.candidate(o.device(), o.mode(), m);
          }
        }
      }
    }
    return n;
  }

  public static PlanScore score(Instance in, Evaluator ev, Option[] plan) {
    int[] buffer = new int[in.candidates];
    int n = candidates(in, plan, buffer);
    double g = ev.objective(buffer, n);
    return score(in, plan, g);
  }

  /** The tie-break fields of a plan whose objective is already known. */
  public static PlanScore score(Instance in, Option[] plan, double g) {
    double power = 0;
    int on = 0;
    int resident = 0;
    int[] hosts = new int[in.models];
    String[] labels = new String[plan.length];
    for (int d = 0; d < plan.length; d++) {
      Option o = plan[d];
      power += o.powerW();
      labels[in.rank[d]] = o.label();
      if (o.on()) {
        on++;
        resident += o.count();
        for (int m = 0; m < in.models; m++) {
          if ((o.mask() & (1L << m)) != 0) {
            hosts[m]++;
          }
        }
      }
    }
    int replicas = (int) Arrays.stream(hosts).filter(h -> h >= 2).count();
    return new PlanScore(g, power, on, replicas, resident, labels);
  }

  /** The full answer for a complete plan. */
  public static Selection selection(
      String selector,
      Instance in,
      Evaluator ev,
      Option[] plan,
      double upperBound,
      boolean provenOptimal,
      long evaluations,
      long elapsedNanos) {
    int[] buffer = new int[in.candidates];
    int n = candidates(in, plan, buffer);
    int[] all = java.util.stream.IntStream.range(0, in.candidates).toArray();
    List<DevicePlan> devices = new ArrayList<>();
    double power = 0;
    double g = 0;
    for (Option o : plan) {
      String device = in.device[o.device()].id();
      power += o.powerW();
      devices.add(
          o.on()
              ? new DevicePlan(
                  device, in.device[o.device()].modes().get(o.mode()).id(), in.modelNames(o.mask()))
              : new DevicePlan(device, null, List.of()));
    }
    List<CategoryOutcome> outcomes = new ArrayList<>();
    for (int c = 0; c < in.categories; c++) {
      CategorySpec cs = in.problem.categories().get(c);
      Evaluator.UResult u = ev.usable(c, buffer, n);
      if (!u.feasible()) {
        Evaluator.UResult top = ev.usable(c, all, all.length);
        Infeasibility why =
            top.feasible() && cs.weight() == 0
                ? new Infeasibility(
                    "its weight is 0: the objective does not count it, so the plan spends nothing"
                        + " on it (give it a weight > 0 to have it served)",
                    Double.NaN,
                    Double.NaN)
                : top.feasible()
                    ? new Infeasibility(
                        "the budgets admit experts of the fleet, but no valid deployment serves this"
                            + " category beside the others (memory, one mode per device, site power cap)",
                        Double.NaN,
                        Double.NaN)
                    : budgetsNeeded(in, c);
        outcomes.add(
            new CategoryOutcome(
                cs.id(),
                false,
                List.of(),
                List.of(),
                0,
                Double.NaN,
                Double.NaN,
                top.feasible() ? Binding.DEPLOYMENT : bindingOf(why),
                why));
        continue;
      }
      g += cs.weight() * u.f();
      List<Expert> usable = new ArrayList<>();
      for (int m = 0; m < in.models; m++) {
        if ((u.mask() & (1L << m)) != 0) {
          usable.add(expertFor(in, c, buffer, n, m, u.t()[m], u.e()[m]));
        }
      }
      usable.sort(Comparator.comparing(Expert::modelId));
      outcomes.add(
          new CategoryOutcome(
              cs.id(),
              true,
              usable,
              replicas(in, c, buffer, n, u),
              u.f(),
              u.twc(),
              u.ewc(),
              binding(in, ev, c, buffer, n, u, all),
              null));
    }
    double gap =
        Double.isNaN(upperBound)
            ? Double.NaN
            : upperBound <= 0 ? 0 : Math.max(0, (upperBound - g) / upperBound);
    return new Selection(
        selector,
        devices,
        g,
        upperBound,
        gap,
        provenOptimal,
        outcomes,
        evaluations,
        power,
        elapsedNanos);
  }

  private static List<Expert> replicas(Instance in, int c, int[] s, int n, Evaluator.UResult u) {
    CategorySpec cs = in.problem.categories().get(c);
    boolean serial = in.problem.delayRule() == DelayRule.SERIAL_SUM;
    List<Expert> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int cand = s[i];
      int m = in.candModel[cand];
      if ((u.mask() & (1L << m)) == 0) {
        continue;
      }
      double t = in.candT[c][cand];
      double e = in.candE[c][cand];
      boolean delayOk = serial ? t <= u.t()[m] : t + in.tagg[c] <= cs.delayBudgetS();
      if (delayOk && e <= u.e()[m]) {
        int d = in.candDevice[cand];
        out.add(
            new Expert(
                in.modelId[m],
                in.device[d].id(),
                in.device[d].modes().get(in.candMode[cand]).id(),
                t,
                e));
      }
    }
    out.sort(Comparator.comparing(Expert::modelId).thenComparing(Expert::deviceId));
    return out;
  }

  private static Expert expertFor(Instance in, int c, int[] s, int n, int m, double t, double e) {
    for (int i = 0; i < n; i++) {
      int cand = s[i];
      if (in.candModel[cand] == m && in.candT[c][cand] == t && in.candE[c][cand] == e) {
        int d = in.candDevice[cand];
        return new Expert(
            in.modelId[m],
            in.device[d].id(),
            in.device[d].modes().get(in.candMode[cand]).id(),
            t,
            e);
      }
    }
    throw new IllegalStateException("usable option of model " + in.modelId[m] + " not in the plan");
  }

  private static Binding binding(
      Instance in, Evaluator ev, int c, int[] s, int n, Evaluator.UResult u, int[] all) {
    CategorySpec cs = in.problem.categories().get(c);
    double budgetT = cs.delayBudgetS() - in.tagg[c];
    boolean delay = false;
    boolean energy = false;
    for (int i = 0; i < n; i++) {
      int cand = s[i];
      if ((u.mask() & (1L << in.candModel[cand])) != 0) {
        continue;
      }
      if (in.candT[c][cand] > budgetT) {
        delay = true;
      } else if (in.candE[c][cand] > cs.energyBudgetJ()) {
        energy = true;
      } else if (in.problem.delayRule() == DelayRule.SERIAL_SUM
          && u.twc() + in.candT[c][cand] > cs.delayBudgetS()) {
        delay = true; // excluded by the coupled (k largest) delay
      } else {
        energy = true; // excluded by the coupled (k largest) energy
      }
    }
    if (delay && energy) {
      return Binding.DELAY_AND_ENERGY;
    }
    if (delay) {
      return Binding.DELAY;
    }
    if (energy) {
      return Binding.ENERGY;
    }
    Evaluator.UResult top = ev.usable(c, all, all.length);
    return top.f() > u.f() ? Binding.DEPLOYMENT : Binding.NONE;
  }

  private static Binding bindingOf(Infeasibility why) {
    return why.reason().startsWith("delay and energy")
        ? Binding.DELAY_AND_ENERGY
        : why.reason().startsWith("delay") ? Binding.DELAY : Binding.ENERGY;
  }

  /**
   * The smallest budgets that admit the category's cheapest k experts: per model its best option
   * over the whole fleet, then the k cheapest (energy) or fastest (delay) within the other budget.
   */
  static Infeasibility budgetsNeeded(Instance in, int c) {
    CategorySpec cs = in.problem.categories().get(c);
    int k = cs.k();
    double tagg = in.tagg[c];
    boolean serial = in.problem.delayRule() == DelayRule.SERIAL_SUM;
    double[] minEWithinT = new double[in.models];
    double[] minTWithinE = new double[in.models];
    double[] minE = new double[in.models];
    double[] minT = new double[in.models];
    Arrays.fill(minEWithinT, Double.POSITIVE_INFINITY);
    Arrays.fill(minTWithinE, Double.POSITIVE_INFINITY);
    Arrays.fill(minE, Double.POSITIVE_INFINITY);
    Arrays.fill(minT, Double.POSITIVE_INFINITY);
    for (int n = 0; n < in.candidates; n++) {
      int m = in.candModel[n];
      double t = in.candT[c][n];
      double e = in.candE[c][n];
      minE[m] = Math.min(minE[m], e);
      minT[m] = Math.min(minT[m], t);
      if (t + tagg <= cs.delayBudgetS()) {
        minEWithinT[m] = Math.min(minEWithinT[m], e);
      }
      if (e <= cs.energyBudgetJ()) {
        minTWithinE[m] = Math.min(minTWithinE[m], t);
      }
    }
    double energyNeeded = sumSmallest(minEWithinT, k);
    double delayNeeded = combine(minTWithinE, k, serial) + tagg;
    if (Double.isFinite(energyNeeded) && !Double.isFinite(delayNeeded)) {
      return new Infeasibility(
          String.format(
              Locale.ROOT,
              "energy budget %.3g J admits no %d expert(s) within the delay budget; the cheapest"
                  + " need %.3g J",
              cs.energyBudgetJ(),
              k,
              energyNeeded),
          Double.NaN,
          energyNeeded);
    }
    if (!Double.isFinite(energyNeeded) && Double.isFinite(delayNeeded)) {
      return new Infeasibility(
          String.format(
              Locale.ROOT,
              "delay budget %.3g s admits no %d expert(s) within the energy budget; the fastest"
                  + " need %.3g s",
              cs.delayBudgetS(),
              k,
              delayNeeded),
          delayNeeded,
          Double.NaN);
    }
    if (Double.isFinite(energyNeeded)) {
      return new Infeasibility(
          String.format(
              Locale.ROOT,
              "delay and energy budgets together admit no %d expert(s): raise the energy budget to"
                  + " %.3g J or the delay budget to %.3g s",
              k,
              energyNeeded,
              delayNeeded),
          delayNeeded,
          energyNeeded);
    }
    double e = sumSmallest(minE, k);
    double t = combine(minT, k, serial) + tagg;
    return new Infeasibility(
        String.format(
            Locale.ROOT,
            "delay and energy budgets each exclude every expert: the cheapest %d need %.3g J and the"
                + " fastest %.3g s",
            k,
            e,
            t),
        t,
        e);
  }

  private static double sumSmallest(double[] values, int k) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    if (sorted.length < k) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < k; i++) {
      s += sorted[i];
    }
    return s;
  }

  private static double combine(double[] times, int k, boolean serial) {
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    if (sorted.length < k) {
      return Double.NaN;
    }
    return serial ? sumSmallest(times, k) : sorted[k - 1];
  }
}
