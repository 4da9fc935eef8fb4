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

  /**
   * The request's limits.
   *
   * @param delayS delay budget, seconds (end to end: queue, transmission, compute, aggregation)
   * @param energyJ energy budget, joules (summed over the experts that answer)
   * @param outputTokens the output length the request asks for ({@code max_tokens}, or the
   *     category's planned output length): no cap exceeds it
   * @param minOutputTokens the least output an expert must be able to produce to be chosen
   */
  public record RequestBudget(
      double delayS, double energyJ, int outputTokens, int minOutputTokens) {
    public RequestBudget {
      Checks.positive(delayS, "budget.delayS");
      Checks.positive(energyJ, "budget.energyJ");
      if (outputTokens < 1) {
        throw new IllegalArgumentException(
            "budget.outputTokens has value " + outputTokens + ": it must be >= 1");
      }
      if (minOutputTokens < 0 || minOutputTokens > outputTokens) {
        throw new IllegalArgumentException(
            "budget.minOutputTokens has value "
                + minOutputTokens
                + ": it must be in [0, outputTokens = "
                + outputTokens
                + "]");
      }
    }
  }

  /**
   * The fine level under the request's own budgets (hard by construction): the subset of at most k
   * candidates, one per model, with the highest total q whose worst case fits together — energy
   * summed over the subset, delay the largest member's plus aggregation — each able to produce at
   * least {@code minOutputTokens}. Exact: every subset of the (per model Pareto-pruned) candidates
   * is considered. Ties: lower total queue, then lower total delay, then ids. Each pick is capped
   * to the largest output whose worst case meets the delay budget and its share of the energy
   * budget (its own minimal-output energy plus an equal part of the slack), never above {@code
   * outputTokens}.
   *
   * @param candidates the usable experts for this request (any number of replicas per model)
   * @param quality q(x) per model id; missing = 0
   * @return the picks, or a refusal naming the binding budget and what would fit
   */
  public static RequestChoice selectWithin(
      List<RequestCandidate> candidates,
      Map<String, Double> quality,
      int k,
      RequestBudget budget,
      AggregationTime aggregation) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(aggregation, "aggregation");
    if (k < 1) {
      throw new IllegalArgumentException("k has value " + k + ": it must be >= 1");
    }
    int min = budget.minOutputTokens();
    List<RequestCandidate> alone =
        candidates.stream()
            .filter(
                c ->
                    c.delayS(min) <= budget.delayS() + RequestCandidate.EPS
                        && c.energyJ(min) <= budget.energyJ() + RequestCandidate.EPS)
            .toList();
    if (alone.isEmpty()) {
      return new RequestChoice(List.of(), refusal(candidates, quality, budget));
    }
    List<List<RequestCandidate>> byModel = paretoByModel(alone, min);
    Subset best = new Subset();
    search(byModel, 0, new ArrayList<>(), k, budget, aggregation, quality, best);
    List<RequestCandidate> chosen = new ArrayList<>(best.members);
    chosen.sort(
        Comparator.comparingDouble((RequestCandidate c) -> -q(quality, c))
            .thenComparing(c -> c.expert().modelId()));
    return new RequestChoice(caps(chosen, quality, budget, aggregation), null);
  }

  private static double q(Map<String, Double> quality, RequestCandidate c) {
    return quality.getOrDefault(c.expert().modelId(), 0.0);
  }

  /** Per model, the replicas no other replica beats on both minimal-output delay and energy. */
  private static List<List<RequestCandidate>> paretoByModel(List<RequestCandidate> all, int min) {
    Map<String, List<RequestCandidate>> groups = new java.util.TreeMap<>();
    for (RequestCandidate c : all) {
      groups.computeIfAbsent(c.expert().modelId(), m -> new ArrayList<>()).add(c);
    }
    List<List<RequestCandidate>> out = new ArrayList<>();
    for (List<RequestCandidate> g : groups.values()) {
      g.sort(
          Comparator.comparingDouble((RequestCandidate c) -> c.delayS(min))
              .thenComparingDouble(c -> c.energyJ(min))
              .thenComparing(c -> c.expert().deviceId()));
      List<RequestCandidate> front = new ArrayList<>();
      double bestEnergy = Double.POSITIVE_INFINITY;
      for (RequestCandidate c : g) {
        if (c.energyJ(min) < bestEnergy - RequestCandidate.EPS) {
          front.add(c);
          bestEnergy = c.energyJ(min);
        }
      }
      out.add(front);
    }
    return out;
  }

  /** The best subset found so far. */
  private static final class Subset {
    List<RequestCandidate> members = List.of();
    double q = -1;
    double queue;
    double delay;
    String ids = "";

    /** Whether a subset with these figures beats the best so far. */
    boolean beatenBy(List<RequestCandidate> other, double oq, double oqueue, double odelay) {
      if (members.isEmpty() || oq > q + 1e-12) {
        return true;
      }
      if (oq < q - 1e-12) {
        return false;
      }
      if (Math.abs(oqueue - queue) > 1e-12) {
        return oqueue < queue;
      }
      if (Math.abs(odelay - delay) > 1e-12) {
        return odelay < delay;
      }
      return ids(other).compareTo(ids) < 0;
    }
  }

  private static String ids(List<RequestCandidate> members) {
    return members.stream()
        .map(c -> c.expert().modelId() + "@" + c.expert().deviceId())
        .sorted()
        .collect(java.util.stream.Collectors.joining(","));
  }

  private static void search(
      List<List<RequestCandidate>> byModel,
      int from,
      List<RequestCandidate> current,
      int k,
      RequestBudget budget,
      AggregationTime aggregation,
      Map<String, Double> quality,
      Subset best) {
    if (!current.isEmpty()) {
      int min = budget.minOutputTokens();
      double energy = 0;
      double delay = 0;
      double queue = 0;
      double q = 0;
      for (RequestCandidate c : current) {
        energy += c.energyJ(min);
        delay = Math.max(delay, c.delayS(min));
        queue += c.queueS();
        q += q(quality, c);
      }
      double total = delay + aggregation.of(current.size());
      if (energy > budget.energyJ() + RequestCandidate.EPS
          || total > budget.delayS() + RequestCandidate.EPS) {
        return; // adding members only adds energy and aggregation time
      }
      if (best.beatenBy(current, q, queue, total)) {
        best.members = List.copyOf(current);
        best.q = q;
        best.queue = queue;
        best.delay = total;
        best.ids = ids(current);
      }
    }
    if (current.size() == k) {
      return;
    }
    for (int m = from; m < byModel.size(); m++) {
      for (RequestCandidate c : byModel.get(m)) {
        current.add(c);
        search(byModel, m + 1, current, k, budget, aggregation, quality, best);
        current.remove(current.size() - 1);
      }
    }
  }

  private static List<RequestChoice.CappedPick> caps(
      List<RequestCandidate> chosen,
      Map<String, Double> quality,
      RequestBudget budget,
      AggregationTime aggregation) {
    int min = budget.minOutputTokens();
    double delayLimit = budget.delayS() - aggregation.of(chosen.size());
    double atMin = chosen.stream().mapToDouble(c -> c.energyJ(min)).sum();
    double slack = Math.max(0, budget.energyJ() - atMin) / chosen.size();
    double sum = chosen.stream().mapToDouble(c -> q(quality, c)).sum();
    List<RequestChoice.CappedPick> out = new ArrayList<>();
    for (RequestCandidate c : chosen) {
      double share = c.energyJ(min) + slack;
      int cap = Math.max(min, c.maxOutput(delayLimit, share, budget.outputTokens()));
      RequestChoice.CapBound bound;
      if (cap >= budget.outputTokens()) {
        bound = RequestChoice.CapBound.MAX_TOKENS;
      } else if (c.delayS(cap + 1) > delayLimit + RequestCandidate.EPS) {
        bound = RequestChoice.CapBound.DELAY;
      } else {
        bound = RequestChoice.CapBound.ENERGY;
      }
      double qv = q(quality, c);
      out.add(
          new RequestChoice.CappedPick(
              c.expert(),
              qv,
              sum > 0 ? qv / sum : 1.0 / chosen.size(),
              cap,
              c.delayS(cap),
              c.energyJ(cap),
              share,
              c.queueS(),
              bound));
    }
    return List.copyOf(out);
  }

  private static RequestChoice.Refusal refusal(
      List<RequestCandidate> candidates, Map<String, Double> quality, RequestBudget budget) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("candidates is empty: nothing to choose from or refuse");
    }
    int min = budget.minOutputTokens();
    boolean anyMeetsDelay =
        candidates.stream().anyMatch(c -> c.delayS(min) <= budget.delayS() + RequestCandidate.EPS);
    int longestPrompt = -1;
    int largestOutput = -1;
    for (RequestCandidate c : candidates) {
      longestPrompt =
          Math.max(longestPrompt, c.longestPrompt(budget.delayS(), budget.energyJ(), min));
      largestOutput =
          Math.max(
              largestOutput, c.maxOutput(budget.delayS(), budget.energyJ(), Integer.MAX_VALUE - 1));
    }
    RequestCandidate best =
        candidates.stream()
            .min(
                Comparator.comparingDouble((RequestCandidate c) -> -q(quality, c))
                    .thenComparingDouble(c -> c.delayS(min))
                    .thenComparing(c -> c.expert().deviceId()))
            .orElseThrow();
    return new RequestChoice.Refusal(
        anyMeetsDelay ? "energy" : "delay",
        longestPrompt,
        largestOutput,
        best.expert(),
        best.delayS(min),
        best.energyJ(min));
  }
}
