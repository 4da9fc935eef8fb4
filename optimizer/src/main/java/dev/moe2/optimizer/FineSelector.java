package dev.moe2.optimizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The fine level (method.md §2, §4): per request, the top-k models by predicted quality q(x) among
 * a category's usable set; for a model with several replicas, the replica with the lowest load
 * (when loads are given) or the lowest predicted delay; weights are q renormalised over the chosen
 * k.
 */
public final class FineSelector {

  private FineSelector() {}

  /**
   * One chosen expert.
   *
   * @param expert the replica that answers
   * @param quality its model's q(x)
   * @param weight q renormalised over the chosen k (uniform when they all have q = 0)
   */
  public record Pick(Expert expert, double quality, double weight) {}

  /**
   * Chooses the experts that answer one request.
   *
   * @param outcome the category's usable set (with its replicas) in the current plan
   * @param quality q(x) per model id; a usable model missing here counts as q = 0
   * @param k how many experts answer
   * @param load the load of a replica (e.g. requests in flight); {@code null}: pick by delay
   * @return at most k picks, best first (fewer when fewer models are usable)
   */
  public static List<Pick> select(
      CategoryOutcome outcome, Map<String, Double> quality, int k, ToDoubleFunction<Expert> load) {
    Objects.requireNonNull(outcome, "outcome");
    return select(outcome.usable(), outcome.replicas(), quality, k, load);
  }

  /**
   * Chooses the experts that answer one request from a usable set and its replicas (e.g. those
   * whose agents have confirmed the plan and that fit the request's budgets).
   *
   * @param usable one expert per model
   * @param replicas experts that may stand in for a usable one (same model); may be empty
   * @see #select(CategoryOutcome, Map, int, ToDoubleFunction)
   */
  public static List<Pick> select(
      List<Expert> usable,
      List<Expert> replicas,
      Map<String, Double> quality,
      int k,
      ToDoubleFunction<Expert> load) {
    Objects.requireNonNull(usable, "usable");
    Objects.requireNonNull(replicas, "replicas");
    Objects.requireNonNull(quality, "quality");
    if (k < 1) {
      throw new IllegalArgumentException("k has value " + k + ": it must be >= 1");
    }
    List<Expert> models = new ArrayList<>(usable);
    models.sort(
        Comparator.comparingDouble((Expert e) -> -quality.getOrDefault(e.modelId(), 0.0))
            .thenComparing(Expert::modelId));
    List<Expert> chosen = models.subList(0, Math.min(k, models.size()));
    Comparator<Expert> replicaOrder =
        load == null
            ? Comparator.comparingDouble(Expert::delayS).thenComparing(Expert::deviceId)
            : Comparator.comparingDouble(load)
                .thenComparingDouble(Expert::delayS)
                .thenComparing(Expert::deviceId);
    double sum = chosen.stream().mapToDouble(e -> quality.getOrDefault(e.modelId(), 0.0)).sum();
    List<Pick> picks = new ArrayList<>();
    for (Expert model : chosen) {
      Expert replica =
          replicas.stream()
              .filter(r -> r.modelId().equals(model.modelId()))
              .min(replicaOrder)
              .orElse(model);
      double q = quality.getOrDefault(model.modelId(), 0.0);
      picks.add(new Pick(replica, q, sum > 0 ? q / sum : 1.0 / chosen.size()));
    }
    return List.copyOf(picks);
  }
}
