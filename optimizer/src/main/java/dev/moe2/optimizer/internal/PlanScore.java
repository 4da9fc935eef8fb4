package dev.moe2.optimizer.internal;

/**
 * A complete plan's objective with the tie-breaks of method.md §3, as a total order: higher G, then
 * lower worst-case site power, then fewer devices in use, then more models with a replica on a
 * second device, then more resident models in total (our rule: a superset is preferred at equal
 * cost, which makes maximal model sets sufficient), then the canonical plan text ascending, its
 * devices in {@link Instance#canonicalOrder} (more placement choices first, then id).
 */
public record PlanScore(
    double g, double power, int devicesOn, int replicas, int resident, String[] labels)
    implements Comparable<PlanScore> {

  /** Negative when this plan is better than {@code o}. */
  @Override
  public int compareTo(PlanScore o) {
    int c = compareHead(o);
    if (c != 0) {
      return c;
    }
    for (int i = 0; i < labels.length; i++) {
      int l = labels[i].compareTo(o.labels[i]);
      if (l != 0) {
        return l;
      }
    }
    return 0;
  }

  /** The comparison on everything but the canonical text. */
  public int compareHead(PlanScore o) {
    if (g != o.g) {
      return g > o.g ? -1 : 1;
    }
    if (power != o.power) {
      return power < o.power ? -1 : 1;
    }
    if (devicesOn != o.devicesOn) {
      return devicesOn < o.devicesOn ? -1 : 1;
    }
    if (replicas != o.replicas) {
      return replicas > o.replicas ? -1 : 1;
    }
    if (resident != o.resident) {
      return resident > o.resident ? -1 : 1;
    }
    return 0;
  }
}
