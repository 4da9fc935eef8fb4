package dev.moe2.simulator.replay;

import dev.moe2.profiles.workload.ReferenceWorkload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.DoubleHistogram;

/**
 * Per category: accuracy against the best single expert, measured energy (summed over the k
 * experts) and end-to-end delay (as the orchestrator timed the request) against their budgets:
 * mean, p99 and max of the answered requests.
 */
public final class ReplayReport {

  /** One category's row. */
  public record Row(
      String category,
      int requests,
      int answered,
      int errors,
      double accuracy,
      String bestSingle,
      double bestSingleAccuracy,
      double energyMeanJ,
      double energyP99J,
      double energyMaxJ,
      double energyBudgetJ,
      double delayMeanS,
      double delayP99S,
      double delayMaxS,
      double delayBudgetS,
      int violations) {}

  private ReplayReport() {}

  public static List<Row> rows(List<PromptReplay.Outcome> outcomes) {
    Map<String, List<PromptReplay.Outcome>> by = new LinkedHashMap<>();
    for (PromptReplay.Outcome o : outcomes) {
      by.computeIfAbsent(o.prompt().category(), c -> new ArrayList<>()).add(o);
    }
    List<Row> rows = new ArrayList<>();
    for (String c : ReferenceWorkload.CATEGORIES) {
      List<PromptReplay.Outcome> os = by.getOrDefault(c, List.of());
      if (os.isEmpty()) {
        continue;
      }
      TreeSet<String> models = new TreeSet<>();
      os.forEach(o -> models.addAll(o.prompt().scores().keySet()));
      String best = null;
      double bestAcc = -1;
      for (String m : models) {
        double acc =
            os.stream()
                .mapToDouble(o -> o.prompt().scores().getOrDefault(m, 0.0))
                .average()
                .orElse(0);
        if (acc > bestAcc) {
          bestAcc = acc;
          best = m;
        }
      }
      DoubleHistogram e = new DoubleHistogram(3);
      DoubleHistogram d = new DoubleHistogram(3);
      double eb = 0;
      double db = 0;
      double emax = 0;
      double dmax = 0;
      for (PromptReplay.Outcome o : os) {
        if (o.answered()) {
          e.recordValue(Math.max(1e-6, o.energyJ()));
          d.recordValue(Math.max(1e-6, o.delay()));
          emax = Math.max(emax, o.energyJ());
          dmax = Math.max(dmax, o.delay());
          eb = o.energyBudgetJ();
          db = o.delayBudgetS();
        }
      }
      int answered = (int) os.stream().filter(PromptReplay.Outcome::answered).count();
      rows.add(
          new Row(
              c,
              os.size(),
              answered,
              os.size() - answered,
              os.stream().mapToDouble(PromptReplay.Outcome::score).average().orElse(0),
              best,
              bestAcc,
              answered == 0 ? 0 : e.getMean(),
              answered == 0 ? 0 : e.getValueAtPercentile(99),
              emax,
              eb,
              answered == 0 ? 0 : d.getMean(),
              answered == 0 ? 0 : d.getValueAtPercentile(99),
              dmax,
              db,
              (int) os.stream().filter(PromptReplay.Outcome::violated).count()));
    }
    return rows;
  }

  public static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-10s %5s %5s %7s %-26s %9s %9s %9s %9s %8s %8s %8s %8s %5s%n",
            "category",
            "reqs",
            "errs",
            "accuracy",
            "best single (accuracy)",
            "E mean J",
            "E p99 J",
            "E max J",
            "E budget",
            "D mean s",
            "D p99 s",
            "D max s",
            "D budget",
            "viol"));
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10s %5d %5d %7.3f  %-26s %9.1f %9.1f %9.1f %9.1f %8.2f %8.2f %8.2f %8.2f %5d%n",
              r.category(),
              r.requests(),
              r.errors(),
              r.accuracy(),
              r.bestSingle() + String.format(Locale.ROOT, " (%.3f)", r.bestSingleAccuracy()),
              r.energyMeanJ(),
              r.energyP99J(),
              r.energyMaxJ(),
              r.energyBudgetJ(),
              r.delayMeanS(),
              r.delayP99S(),
              r.delayMaxS(),
              r.delayBudgetS(),
              r.violations()));
    }
    return sb.toString();
  }

  /** Overall accuracy (all requests) and violations. */
  public static double accuracy(List<PromptReplay.Outcome> outcomes) {
    return outcomes.stream().mapToDouble(PromptReplay.Outcome::score).average().orElse(0);
  }
}
